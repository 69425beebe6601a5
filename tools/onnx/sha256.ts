/** SHA-256 helper for model files (index.json lists it; the SDK's cache keys on it). */
import { createHash } from 'node:crypto';

/**
 * Lower-case hex SHA-256 of `bytes`.
 *
 * @example sha256Hex(new Uint8Array()) === 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
