/**
 * Subresource-integrity digests (`sha384-<base64>`, W3C SRI) with SubtleCrypto. No imports: the
 * script-tag loader uses it too, and must stay small.
 */

/**
 * The SRI string of `bytes` with SHA-384, or undefined where SubtleCrypto is missing (not a
 * secure context).
 *
 * @example await sriSha384(new TextEncoder().encode('alert(1)')) // 'sha384-…'
 */
export async function sriSha384(bytes: Uint8Array | ArrayBuffer): Promise<string | undefined> {
  if (typeof crypto === 'undefined' || typeof crypto.subtle?.digest !== 'function') return undefined;
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-384', view as Uint8Array<ArrayBuffer>));
  let bin = '';
  for (const b of digest) bin += String.fromCharCode(b);
  return `sha384-${btoa(bin)}`;
}
