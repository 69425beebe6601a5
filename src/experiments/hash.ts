/**
 * Deterministic bucketing: a visitor id and an experiment id → a number in [0, 1). FNV-1a over
 * the UTF-16 code units, then MurmurHash3's 32-bit finaliser, which spreads FNV's weak low bits
 * over the whole word (checked by a chi-square test over 100,000 random ids in
 * test/unit/experiments-assign.test.ts). Not cryptographic, and does not need to be: the ids are
 * random, the hash only has to be stable and even.
 *
 * @example bucket('reco-2026-12', '3f9a…') // 0.7316…, the same on every device and every load
 */

/** 32-bit hash of a string. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The visitor's position in [0, 1) for one experiment; a new experiment id reshuffles everyone. */
export function bucket(experimentId: string, visitorId: string): number {
  return hash32(`${experimentId}\u0000${visitorId}`) / 0x1_0000_0000;
}
