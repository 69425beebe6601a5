/**
 * Argument helpers for the subcommands: `node:util` parseArgs in strict mode (unknown flags are
 * errors), plus checked conversions that say which flag was wrong.
 */
import { parseArgs } from 'node:util';
import { quote } from './clip.ts';
import { CATALOG_INPUT, EVENTS_INPUT, requireInputFile } from './input-file.ts';

/** A usage error: the CLI prints the message and the subcommand's help, and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Flag spec for {@link parseFlags}: every flag takes a value except booleans. */
export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** Parses `argv` strictly; positional arguments are not accepted. */
export function parseFlags(argv: readonly string[], spec: FlagSpec): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({ args: [...argv], options: spec, strict: true, allowPositionals: false });
    return values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** A required string flag. */
export function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`missing --${name}`);
  return v;
}

/** An optional string flag. */
export function optional(values: Record<string, string | boolean | undefined>, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** An optional integer flag within [min, max]. */
export function intFlag(values: Record<string, string | boolean | undefined>, name: string, min: number, max: number): number | undefined {
  const v = optional(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer in ${min}..${max === Number.MAX_SAFE_INTEGER ? '' : max}, got ${quote(v)}`);
  return n;
}

/** An optional number flag within [min, max]. */
export function numberFlag(values: Record<string, string | boolean | undefined>, name: string, min: number, max: number): number | undefined {
  const v = optional(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number in ${min}..${max}, got ${quote(v)}`);
  return n;
}

/**
 * Checks the input files named by `--catalog` / `--events` (after every flag has been parsed, so
 * a usage error still wins): a missing path or a folder fails here, naming the flag, before any
 * work starts.
 *
 * @example await inputFiles({ catalog: 'shop/catalog.json', events: 'shop/events.csv' });
 */
export async function inputFiles(paths: { catalog: string; events: string }): Promise<void> {
  await requireInputFile(paths.catalog, { label: '--catalog', ...CATALOG_INPUT });
  await requireInputFile(paths.events, { label: '--events', ...EVENTS_INPUT });
}
