/**
 * The trainer end to end on a tiny generated shop: identical bytes for the same seed, CSV and
 * JSONL give the same model, the manifest lists every file's hash, and complementary categories
 * are rediscovered from sessions alone.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/recommend/manifest.ts';
import { sha256Hex } from '../../tools/onnx/sha256.ts';
import { COMPLEMENTS } from '../../tools/shop/categories.ts';
import { TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { writeShop } from '../../tools/shop/generate.ts';
import { train } from '../../tools/train/train.ts';

let dir = '';
const FILES = ['recommender.onnx', 'items.json', 'manifest.json'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-train-'));
  await writeShop(join(dir, 'shop'), TINY_SHOP_CONFIG);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function trainInto(out: string, events = 'events.csv', seed = 42): Promise<void> {
  // Validation on (the default), the search encoder off (tested in encoder-*.test.ts).
  await train({ catalog: join(dir, 'shop', 'catalog.json'), events: join(dir, 'shop', events), outDir: join(dir, out), model: { seed, maxEpochs: 4 }, encoder: false });
}

describe('inpage train', () => {
  it('same inputs and seed → identical bytes; another seed → another model', async () => {
    await trainInto('a');
    await trainInto('b');
    for (const f of FILES) expect(sha256Hex(await readFile(join(dir, 'b', f)))).toBe(sha256Hex(await readFile(join(dir, 'a', f))));
    await trainInto('c', 'events.csv', 43);
    expect(sha256Hex(await readFile(join(dir, 'c', 'recommender.onnx')))).not.toBe(sha256Hex(await readFile(join(dir, 'a', 'recommender.onnx'))));
  }, 60_000);

  it('JSON Lines input trains the same model as CSV', async () => {
    const csv = (await readFile(join(dir, 'shop', 'events.csv'), 'utf8')).trimEnd().split('\n').slice(1);
    const jsonl = csv.map((l) => {
      const [session_id, item_id, event, timestamp, user_id] = l.split(',');
      return JSON.stringify({ session_id, item_id, event, timestamp, user_id });
    });
    await writeFile(join(dir, 'shop', 'events.jsonl'), `${jsonl.join('\n')}\n`);
    await trainInto('j', 'events.jsonl');
    expect(await readFile(join(dir, 'j', 'recommender.onnx'))).toEqual(await readFile(join(dir, 'a', 'recommender.onnx')));
  }, 60_000);

  it('writes a manifest that validates and hashes every artifact', async () => {
    const manifest = parseManifest(JSON.parse(await readFile(join(dir, 'a', 'manifest.json'), 'utf8')));
    expect(manifest.dims).toEqual({ items: TINY_SHOP_CONFIG.products, embedding: 32, history: 20 });
    expect(Object.keys(manifest.files).sort()).toEqual(['items.json', 'recommender.onnx']);
    for (const [name, entry] of Object.entries(manifest.files)) {
      const bytes = await readFile(join(dir, 'a', name));
      expect(entry).toEqual({ bytes: bytes.length, sha256: sha256Hex(bytes) });
    }
  });

  it('learns complementary categories that match the simulated trips (never shown to the trainer)', async () => {
    const items = JSON.parse(await readFile(join(dir, 'a', 'items.json'), 'utf8')) as { categories: { id: string; complements: [number, number][] }[] };
    let checked = 0;
    for (const c of items.categories) {
      const top = c.complements[0];
      if (top === undefined) continue;
      const truth = COMPLEMENTS[c.id as keyof typeof COMPLEMENTS];
      expect(Object.keys(truth)).toContain(items.categories[top[0]]!.id);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });
});
