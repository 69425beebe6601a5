import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMlp, multiIo } from '../../tools/models/index.ts';
import { writeModels, type ModelIndexEntry } from '../../tools/models/write.ts';
import { sha256Hex } from '../../tools/onnx/sha256.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-models-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const models = [createMlp(), multiIo];

describe('writeModels', () => {
  it('writes each model and an index with sizes and SHA-256', async () => {
    const out = join(dir, 'nested', 'models');
    const { index, files } = await writeModels(models, out);
    expect(files.map((f) => [f.file, f.status])).toEqual([
      ['mlp.onnx', 'written'],
      ['multi-io.onnx', 'written'],
      ['index.json', 'written'],
    ]);
    const onDisk = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as ModelIndexEntry[];
    expect(onDisk).toEqual(index);
    for (const e of onDisk) {
      const bytes = await readFile(join(out, e.file));
      expect(Object.keys(e)).toEqual(['name', 'file', 'bytes', 'sha256']);
      expect(e.bytes).toBe(bytes.length);
      expect(e.sha256).toBe(sha256Hex(bytes));
    }
  });

  it('leaves identical files alone and rewrites changed ones', async () => {
    await writeModels(models, dir);
    const before = (await stat(join(dir, 'mlp.onnx'))).mtimeMs;
    await writeFile(join(dir, 'multi-io.onnx'), 'stale');
    await new Promise((r) => setTimeout(r, 20));
    const { files } = await writeModels(models, dir);
    expect(files.map((f) => f.status)).toEqual(['unchanged', 'written', 'unchanged']);
    expect((await stat(join(dir, 'mlp.onnx'))).mtimeMs).toBe(before);
    expect(new Uint8Array(await readFile(join(dir, 'multi-io.onnx')))).toEqual(multiIo.bytes());
  });
});
