/**
 * onnxruntime-web's `.wasm`, checked before ORT compiles it (issue #16: integrity for the whole
 * script-tag chain). inpage.js carries the SHA-384 of the ORT files it ships beside it
 * (scripts/sri.ts); the worker fetches the runtime's `.wasm`, hashes it with SubtleCrypto and
 * hands ORT those very bytes (`env.wasm.wasmBinary`), so a file altered on the script host is
 * refused before any of it runs. Bytes rather than `fetch(url, { integrity })`: the error can say
 * which hash arrived, and one download serves both the check and ORT.
 */
import { sriSha384 } from '../caches/sri.ts';
import { InpageError, toInpageError } from '../errors.ts';

/**
 * The bytes at `url` when their SHA-384 is `sri`; rejects with `INTEGRITY_MISMATCH` naming both
 * hashes otherwise (or when SubtleCrypto is missing: nothing unchecked runs).
 *
 * @example const wasm = await verifiedWasm('https://cdn.example.com/inpage/ort-wasm-simd-threaded.wasm', 'sha384-…');
 */
export async function verifiedWasm(url: string, sri: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    const res = await fetch(url, { credentials: 'omit' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw toInpageError(e, 'BACKEND_UNAVAILABLE', `Fetching the onnxruntime-web runtime ${url} to check its integrity`);
  }
  const actual = await sriSha384(bytes);
  if (actual === undefined) {
    throw new InpageError('INTEGRITY_MISMATCH', `Cannot check ${url}: SubtleCrypto is unavailable (not a secure context). Serve the page over https, or leave assetIntegrity out.`, { url, expected: sri });
  }
  if (actual !== sri) {
    throw new InpageError('INTEGRITY_MISMATCH', `${url} failed its integrity check: expected ${sri}, the file has ${actual}. Nothing from it ran. Serve the files of one build of dist/cdn/ together (a partial upload or a modified file causes this).`, { url, expected: sri, actual });
  }
  return bytes;
}
