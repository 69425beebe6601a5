/**
 * Tier-up: under `'auto'` on a device with a WebGPU adapter a model answers on WASM from its
 * first run, and WebGPU is measured later, in the background:
 *
 * 1. once the worker has been quiet for `quietMs` (no ORT job running or waiting, no model
 *    loading), one model at a time;
 * 2. the WebGPU runtime is imported then (not before: a first answer never waits for its 27 MB),
 *    a WebGPU session built and both sessions timed, every step in a load lane of the executors,
 *    so runs of every model keep going first (executor.ts);
 * 3. the model switches only when WebGPU is faster (ties keep WASM: a switch costs a second
 *    runtime in memory and buys nothing), through the model's batcher, so no run overlaps the
 *    swap (`TierUpTarget.adopt`, the same swap as the WebGPU → WASM fallback);
 * 4. the verdict is remembered per (model, adapter, threads): the next visit builds only the
 *    winner (session-plan.ts).
 *
 * `engine.info()` shows it: `tierUp.pending`, the measurement in `measurements`, a switch in
 * `switches`, and `reason`.
 */
import { webgpuBackend } from '../backends/onnx.ts';
import type { SessionHandle } from '../backends/types.ts';
import { toInpageError } from '../errors.ts';
import { measureSessions, pickFaster, type BackendMeasurement } from '../routing/measure.ts';
import type { VerdictStore } from '../routing/verdict-store.ts';
import { syntheticFeeds } from '../synthetic-inputs.ts';
import type { BackendName, TierUpInfo } from '../types.ts';
import type { DeviceWatch } from './device-watch.ts';
import { describeVerdict, keyOf } from './measured-choice.ts';
import type { HostState } from './state.ts';

/** A model waiting for tier-up (worker/models.ts). */
export interface TierUpTarget {
  /** Lower-case hex SHA-256 of the model ('' when unknown: then no verdict is kept). */
  readonly sha256: string;
  /** The bytes to build the WebGPU session from (the model keeps them until tier-up is over). */
  readonly bytes: Uint8Array;
  /** Fires when the model is disposed: tier-up drops it. */
  readonly gone: AbortSignal;
  /** The WASM session answering now. */
  current(): SessionHandle;
  /** Swap to `next` between two runs; false when the model went meanwhile (then `next` is ours to release). */
  adopt(next: SessionHandle, reason: string): Promise<boolean>;
  /** Tier-up is over for this model (whatever the outcome): it may drop its bytes. */
  done(): void;
}

/** What tier-up needs from the host. */
export interface TierUpDeps {
  ready(): HostState;
  verdicts: VerdictStore;
  device: DeviceWatch;
  /** Models loading now (their downloads use no executor, but a tier-up would compete with them). */
  loading(): number;
  /** A verdict forced by a test hook (`tier-up-verdict`), else undefined. */
  forcedVerdict(): BackendName | undefined;
  /** Quiet spell before measuring, in ms. Default 1000. */
  quietMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class TierUp {
  private readonly queue: TierUpTarget[] = [];
  private active: TierUpTarget | undefined;
  private measuring = false;

  constructor(private readonly deps: TierUpDeps) {}

  /** For `engine.info().tierUp`. */
  info(): TierUpInfo {
    return { pending: this.queue.length + (this.active ? 1 : 0), measuring: this.measuring };
  }

  /** Measure `t` in the background when the worker is quiet. */
  add(t: TierUpTarget): void {
    this.queue.push(t);
    if (!this.active) void this.drain();
  }

  private async drain(): Promise<void> {
    for (let t = this.queue.shift(); t; t = this.queue.shift()) {
      this.active = t;
      try {
        if (await this.quiet(t.gone)) {
          this.measuring = true;
          await this.measure(t);
        }
      } catch {
        // A failed tier-up leaves the model on WASM, answering; nothing to report beyond reason.
      } finally {
        this.measuring = false;
        t.done();
        this.active = undefined;
      }
    }
  }

  /** Resolves true once the worker has been quiet long enough, false if the model went first. */
  private async quiet(gone: AbortSignal): Promise<boolean> {
    const want = this.deps.quietMs ?? 1000;
    for (;;) {
      if (gone.aborted) return false;
      const quiet = this.deps.loading() > 0 ? 0 : this.deps.ready().ctx.runtime.quietMs();
      if (quiet >= want) return true;
      await sleep(Math.max(50, want - quiet));
    }
  }

  private async measure(t: TierUpTarget): Promise<void> {
    const s = this.deps.ready();
    // The device may have been lost since the model loaded: nothing to measure then.
    if (!s.caps.webgpu) return;
    const cpu = t.current();
    const feeds = (): ReturnType<typeof syntheticFeeds> => syntheticFeeds(cpu.inputs);
    if (!feeds()) {
      s.setBackend('wasm', `auto: the model's inputs have types no synthetic input can fill, so WebGPU cannot be measured in the background; staying on wasm`);
      return;
    }
    const lane = s.ctx.runtime.loadLane(t.gone);
    let gpu: SessionHandle;
    try {
      gpu = await webgpuBackend.create(t.bytes, s.ctx, lane);
    } catch (e) {
      if (t.gone.aborted) return;
      await this.keepWasm(s, t, { medians: {}, runs: 0 }, `auto: WebGPU could not build the model in the background (${toInpageError(e, 'MODEL_INVALID').message}); staying on wasm`);
      return;
    }
    this.deps.device.watch(s);
    let medians: Partial<Record<BackendName, number>>;
    let runs: number;
    try {
      ({ medians, runs } = await measureSessions(gpu, cpu, () => feeds()!, { lane }));
    } catch (e) {
      await gpu.release().catch(() => {});
      if (t.gone.aborted) return;
      // Most likely a kernel the adapter lacks (a float16 one without shader-f16): WASM it is.
      const why = toInpageError(e, 'RUN_FAILED').message;
      await this.keepWasm(s, t, { medians: {}, runs: 0 }, `auto: the model could not run on WebGPU while measuring in the background (${why}); staying on wasm`);
      return;
    }
    const chosen = this.deps.forcedVerdict() ?? pickFaster(medians, 'wasm');
    const m: BackendMeasurement = { model: t.sha256.slice(0, 12), medians, runs, chosen, source: 'measured', at: Date.now() };
    if (chosen === 'wasm') {
      await gpu.release().catch(() => {});
      await this.keepWasm(s, t, m, describeVerdict(m));
      return;
    }
    if (!(await t.adopt(gpu, describeVerdict(m)))) {
      await gpu.release().catch(() => {});
      return;
    }
    s.measurements.push(m);
    await this.remember(s, t, m);
  }

  private async keepWasm(s: HostState, t: TierUpTarget, m: Pick<BackendMeasurement, 'medians' | 'runs'>, reason: string): Promise<void> {
    const verdict: BackendMeasurement = { model: t.sha256.slice(0, 12), medians: m.medians, runs: m.runs, chosen: 'wasm', source: 'measured', at: Date.now() };
    // A verdict without timings (WebGPU failed) is remembered too, so the next visit does not
    // try again, but only a real measurement is reported as one.
    if (m.runs > 0) s.measurements.push(verdict);
    s.setBackend('wasm', reason);
    await this.remember(s, t, verdict);
  }

  private async remember(s: HostState, t: TierUpTarget, m: BackendMeasurement): Promise<void> {
    const key = keyOf(s, t.sha256);
    if (key !== undefined) await this.deps.verdicts.set(key, m);
  }
}
