/**
 * One rule for echoing input back in CLI messages: a value is quoted and cut to
 * {@link CLIP_CHARS} characters, and a cut value says how long it really was. A 2 MB item id in
 * an event log must not become a 2 MB error message, and every message cuts the same way.
 */

/** The most characters of one value that a message repeats. */
export const CLIP_CHARS = 80;

/**
 * `value` cut to `max` characters, with its full length when it was cut.
 *
 * @example clip('x'.repeat(2_000_164)) // 'xxxx…xxx… (2,000,164 characters)' (80 x's, then the length)
 */
export function clip(value: string, max = CLIP_CHARS): string {
  if (value.length <= max) return value;
  return `${value.slice(0, max)}… (${value.length.toLocaleString('en')} characters)`;
}

/**
 * `value` in single quotes, cut by {@link clip}: the form messages use for a value the user gave.
 *
 * @example quote('wishlist') // "'wishlist'"
 */
export function quote(value: string, max = CLIP_CHARS): string {
  if (value.length <= max) return `'${value}'`;
  return `'${value.slice(0, max)}…' (${value.length.toLocaleString('en')} characters)`;
}
