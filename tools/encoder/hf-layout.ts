/**
 * Writes a model folder in the Hugging Face layout transformers.js loads (`config.json`,
 * `tokenizer.json`, `tokenizer_config.json`, `onnx/model*.onnx`). Files are written to a temporary
 * name and renamed, and identical files are left alone, so test workers that generate the same
 * fixture at once never serve a half-written file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sha256Hex } from '../onnx/sha256.ts';

/** A model folder: relative path → bytes or JSON. */
export type HfFiles = Record<string, Uint8Array | Record<string, unknown>>;

/** One written file. */
export interface HfFileEntry {
  path: string;
  bytes: number;
  sha256: string;
}

/** Serialises a folder's files to bytes (JSON with 2-space indent and a trailing newline). */
export function fileBytes(content: Uint8Array | Record<string, unknown>): Uint8Array {
  return content instanceof Uint8Array ? content : new TextEncoder().encode(`${JSON.stringify(content, null, 2)}\n`);
}

async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const old = await readFile(path).catch(() => undefined);
  if (old !== undefined && Buffer.compare(old, bytes) === 0) return;
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

/**
 * Writes `files` under `dir` (created if needed); returns each file's size and SHA-256.
 *
 * @example await writeHfFolder('public/hf/inpage/tiny-bert', { 'config.json': { model_type: 'bert' }, 'onnx/model.onnx': bytes })
 */
export async function writeHfFolder(dir: string, files: HfFiles): Promise<HfFileEntry[]> {
  const out: HfFileEntry[] = [];
  for (const [path, content] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const bytes = fileBytes(content);
    await writeAtomic(join(dir, path), bytes);
    out.push({ path, bytes: bytes.length, sha256: sha256Hex(bytes) });
  }
  return out;
}
