/**
 * Checks that an input path is a readable file before any work starts: a missing path says so,
 * and a folder (the commonest slip: `--events shop/` for `shop/events.csv`) says which files in
 * it would fit, instead of surfacing later as a bare EISDIR.
 */
import { readdir, stat } from 'node:fs/promises';
import { quote } from './clip.ts';

/** What an input is, for the message: its label, what to pass, and which file names fit. */
export interface InputKind {
  /** How messages name the input, e.g. `--events` or `events`. */
  label: string;
  /** What to pass instead of a folder, e.g. 'event log (CSV or JSON Lines)'. */
  what: string;
  /** File names in a folder that would fit. */
  fits: RegExp;
}

/**
 * Rejects unless `path` is a file.
 *
 * @example await requireInputFile('shop/', { label: '--events', what: 'event log', fits: /\.csv$/ })
 * // Error: --events 'shop/' is a folder; pass the event log file itself. It holds shop/events.csv.
 */
export async function requireInputFile(path: string, kind: InputKind): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${kind.label} ${quote(path)}: cannot read (${code === 'ENOENT' ? 'no such file' : (e as Error).message})`);
  }
  if (!info.isDirectory()) return;
  const fits = (await readdir(path).catch(() => [] as string[])).filter((n) => kind.fits.test(n)).sort();
  const shown = fits.slice(0, 3).map((n) => `${path.replace(/\/+$/, '')}/${n}`);
  const hint = shown.length > 0 ? ` It holds ${shown.join(', ')}${fits.length > 3 ? ', …' : ''}.` : '';
  throw new Error(`${kind.label} ${quote(path)} is a folder; pass the ${kind.what} file itself.${hint}`);
}

/** The event log input (`--events`). */
export const EVENTS_INPUT = { what: 'event log (CSV or JSON Lines)', fits: /\.(csv|jsonl|ndjson)$/i } as const;
/** The catalogue input (`--catalog`). */
export const CATALOG_INPUT = { what: 'catalogue (JSON)', fits: /\.json$/i } as const;
