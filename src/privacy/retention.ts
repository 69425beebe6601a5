/**
 * How long and how much personal data Inpage keeps on the device. Every store applies the policy
 * on every read (expired entries are dropped and the shorter record written back, so they leave
 * the device rather than just being hidden) and on every write (oldest entries go first when a
 * record would exceed its byte cap).
 *
 * @example
 * const policy = resolveRetention({ days: 14 });      // { maxAgeMs: 1_209_600_000, maxBytes: 32_768 }
 * const fresh = events.filter((e) => isFresh(e.time, now(), policy));
 */
import { InpageError } from '../errors.ts';

/** Retention options of `createRecommender({ retention })`. */
export interface RetentionOptions {
  /** Days an event or search is kept after it happened. Default 30; at most 400. */
  days?: number;
  /** Largest stored record per key, in UTF-8 bytes of its JSON; oldest entries go first. Default 32 KiB. */
  maxBytes?: number;
}

/** A resolved policy. */
export interface RetentionPolicy {
  maxAgeMs: number;
  maxBytes: number;
}

/** 30 days: long enough for a purchase cycle, short enough that stale interests fade. */
export const DEFAULT_RETENTION_DAYS = 30;
/** 32 KiB per key: 50 interactions + 50 impressions with long ids need about 8 KiB. */
export const DEFAULT_RETENTION_BYTES = 32 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Validates and fills in defaults. Throws `OPTION_INVALID` naming the bad field.
 *
 * @example resolveRetention() // { maxAgeMs: 2_592_000_000, maxBytes: 32_768 }
 */
export function resolveRetention(opts: RetentionOptions = {}): RetentionPolicy {
  const days = opts.days ?? DEFAULT_RETENTION_DAYS;
  if (typeof days !== 'number' || !(days > 0) || days > 400) {
    throw new InpageError('OPTION_INVALID', `retention.days must be a number of days in (0, 400], got ${String(days)}. The default is ${DEFAULT_RETENTION_DAYS}.`);
  }
  const maxBytes = opts.maxBytes ?? DEFAULT_RETENTION_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < 256 || maxBytes > 4 * 1024 * 1024) {
    throw new InpageError('OPTION_INVALID', `retention.maxBytes must be an integer in 256..4194304, got ${String(maxBytes)}. The default is ${DEFAULT_RETENTION_BYTES}.`);
  }
  return { maxAgeMs: days * DAY_MS, maxBytes };
}

/** True when something that happened at `time` is still within the policy's age at `now`. */
export function isFresh(time: number, now: number, policy: RetentionPolicy): boolean {
  return now - time <= policy.maxAgeMs;
}

/** UTF-8 length of `text` without allocating (what a byte cap counts). */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/**
 * The newest entries of `entries` (oldest first) whose encoding fits in `maxBytes`, and that
 * encoding. Drops a proportional share of the oldest per round, so a long list converges in a
 * few encodings instead of one per entry.
 *
 * @example fitBytes(events, encode, 4096) // { kept: [...newest], text: '{"v":1,…}' }
 */
export function fitBytes<T>(entries: readonly T[], encode: (entries: readonly T[]) => string, maxBytes: number): { kept: T[]; text: string } {
  let kept = [...entries];
  let text = encode(kept);
  let size = utf8Length(text);
  while (size > maxBytes && kept.length > 0) {
    const drop = Math.max(1, Math.ceil(kept.length * (1 - maxBytes / size)));
    kept = kept.slice(drop);
    text = encode(kept);
    size = utf8Length(text);
  }
  return { kept, text };
}
