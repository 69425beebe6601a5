/**
 * Writes test models to a folder with an index.json, skipping files whose bytes are already
 * identical so that running it before every test run costs only a read and a hash.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../onnx/sha256.ts';
import type { TestModel } from './types.ts';

/** One entry of index.json. */
export interface ModelIndexEntry {
  /** Model name, e.g. `'mlp'`. */
  name: string;
  /** File name relative to index.json, e.g. `'mlp.onnx'`. */
  file: string;
  /** File size in bytes. */
  bytes: number;
  /** Lower-case hex SHA-256 of the file. */
  sha256: string;
}

/** What {@link writeModels} did with one file. */
export type WriteStatus = 'written' | 'unchanged';

/** Result of {@link writeModels}: the index it wrote and what happened to each file. */
export interface WriteResult {
  index: ModelIndexEntry[];
  files: { file: string; status: WriteStatus }[];
}

async function writeIfChanged(path: string, bytes: Uint8Array): Promise<WriteStatus> {
  const old = await readFile(path).catch((e: unknown) => {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return undefined;
    throw e;
  });
  // Leaving identical files untouched keeps their mtime, so dev servers and watchers stay quiet.
  if (old !== undefined && Buffer.compare(old, bytes) === 0) return 'unchanged';
  await writeFile(path, bytes);
  return 'written';
}

/**
 * Writes `<name>.onnx` for each model and `index.json` (`ModelIndexEntry[]`, 2-space JSON) into
 * `outDir`, creating it if needed.
 *
 * @example await writeModels(testModels, 'public/models')
 */
export async function writeModels(models: readonly TestModel[], outDir: string): Promise<WriteResult> {
  await mkdir(outDir, { recursive: true });
  const index: ModelIndexEntry[] = [];
  const files: WriteResult['files'] = [];
  for (const m of models) {
    const bytes = m.bytes();
    const file = `${m.name}.onnx`;
    files.push({ file, status: await writeIfChanged(join(outDir, file), bytes) });
    index.push({ name: m.name, file, bytes: bytes.length, sha256: sha256Hex(bytes) });
  }
  const json = new TextEncoder().encode(`${JSON.stringify(index, null, 2)}\n`);
  files.push({ file: 'index.json', status: await writeIfChanged(join(outDir, 'index.json'), json) });
  return { index, files };
}
