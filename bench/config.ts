/** Settings of `npm run bench`, from the environment (no side effects beyond reading it). */

/** Repetitions per scenario (each in a fresh browser context); medians are reported. */
export const REPS = Number(process.env['BENCH_REPS'] ?? 5);
/** BENCH_ONLY=overhead,throughput runs just those scenarios and writes bench/out/partial.json. */
export const ONLY = process.env['BENCH_ONLY']?.split(',').map((x) => x.trim()).filter(Boolean);
/** A good home connection, for the cold/warm comparison a real visitor sees. */
export const BROADBAND = { downloadMbps: 50, latencyMs: 20 };
/** Chromium flags that work on these machines (PLATFORM.md). */
export const ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
