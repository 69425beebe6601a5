/**
 * Precompressed copies for static hosting: `<file>.br` (brotli, quality 11) and `<file>.gz`
 * (gzip, level 9) next to every `.wasm`, `.js` and `.mjs` in a folder, so a server that serves
 * precompressed files (docs/SERVING.md) sends onnxruntime-web's 14 MB CPU runtime as ~2.4 MB.
 *
 * Brotli at quality 11 is slow on big inputs (measured here: ~70 s for the 14 MB wasm on a busy
 * 2-core machine), and the ORT files are the same on every build, so outputs are cached by the
 * SHA-256 of their input under `cacheDir` (default node_modules/.cache/inpage-precompress).
 * Node's own zlib does both formats: no dependency.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const br = promisify(brotliCompress);
const gz = promisify(gzip);

/** Files that get precompressed copies. */
export const PRECOMPRESSED = /\.(wasm|m?js)$/;

/** One file's sizes in bytes. */
export interface CompressedSizes {
  file: string;
  bytes: number;
  br: number;
  gz: number;
}

const ENCODERS = {
  br: (b: Buffer): Promise<Buffer> => br(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } }),
  gz: (b: Buffer): Promise<Buffer> => gz(b, { level: 9 }),
} as const;

async function cached(cacheDir: string, input: Buffer, kind: keyof typeof ENCODERS): Promise<Buffer> {
  const key = `${createHash('sha256').update(input).digest('hex')}.${kind}`;
  const path = join(cacheDir, key);
  try {
    return await readFile(path);
  } catch {
    const out = await ENCODERS[kind](input);
    await mkdir(cacheDir, { recursive: true });
    // Written under a temporary name first: two builds at once must never read half a file.
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, out);
    await rename(tmp, path);
    return out;
  }
}

/** Write `.br` and `.gz` next to every matching file under `dir` (recursively); returns their sizes. */
export async function precompress(dir: string, cacheDir: string): Promise<CompressedSizes[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && PRECOMPRESSED.test(entry.name)) files.push(join(entry.parentPath, entry.name));
  }
  // All at once: zlib runs on libuv's thread pool, so the big files compress in parallel.
  return Promise.all(files.sort().map(async (file) => {
    const input = await readFile(file);
    const [b, g] = await Promise.all([cached(cacheDir, input, 'br'), cached(cacheDir, input, 'gz')]);
    await Promise.all([writeFile(`${file}.br`, b), writeFile(`${file}.gz`, g)]);
    return { file: relative(dir, file), bytes: (await stat(file)).size, br: b.length, gz: g.length };
  }));
}
