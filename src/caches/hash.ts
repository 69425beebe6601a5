/**
 * SHA-256 with SubtleCrypto (available in secure contexts: https, localhost, 127.0.0.1).
 */
import { InpageError } from '../errors.ts';

/** Whether SubtleCrypto is present here. */
export function canHash(): boolean {
  return typeof crypto !== 'undefined' && typeof crypto.subtle?.digest === 'function';
}

/** Hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  if (!canHash()) {
    throw new InpageError('INTEGRITY_MISMATCH', 'Cannot verify sha256: SubtleCrypto is unavailable (the page is not a secure context). Serve the page over https or localhost, or omit sha256.');
  }
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const digest = await crypto.subtle.digest('SHA-256', view as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(digest));
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Normalise a user-given hash: lower-case hex, 64 chars; throws a clear error otherwise. */
export function normaliseSha256(value: string): string {
  const v = value.trim().toLowerCase().replace(/^sha256[-:]/, '');
  if (!/^[0-9a-f]{64}$/.test(v)) {
    throw new InpageError('OPTION_INVALID', `sha256 must be 64 hex characters, got ${JSON.stringify(value)}.`);
  }
  return v;
}
