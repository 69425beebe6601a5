/** The `inpage` CLI: help, usage errors with exit code 2, and gen-data → train → eval on a tiny shop. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../tools/cli/main.ts';
import { TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { writeShop } from '../../tools/shop/generate.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) }, out, err };
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-cli-'));
  await writeShop(join(dir, 'shop'), TINY_SHOP_CONFIG);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('inpage CLI', () => {
  it('prints help and per-command usage', async () => {
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/gen-data[\s\S]*train[\s\S]*eval[\s\S]*demo-data/);
    const t = capture();
    expect(await main(['train', '--help'], t.io)).toBe(0);
    expect(t.out.join('\n')).toContain('--catalog <catalog.json> --events <events.csv|.jsonl> --out <dir>');
    for (const flag of ['--epochs', '--dim', '--history', '--seed', '--no-validation', '--no-search']) expect(t.out.join('\n')).toContain(flag);
    const e = capture();
    expect(await main(['eval', '--help'], e.io)).toBe(0);
    for (const flag of ['--protocol', '--check', '--epochs', '--dim', '--history', '--no-search']) expect(e.out.join('\n')).toContain(flag);
  });

  it('exits 2 with a clear message on usage errors', async () => {
    const a = capture();
    expect(await main(['trian'], a.io)).toBe(2);
    expect(a.err.join('\n')).toContain("unknown command 'trian'");
    const b = capture();
    expect(await main(['train', '--catalog', 'x.json'], b.io)).toBe(2);
    expect(b.err.join('\n')).toContain('missing --events');
    const c = capture();
    expect(await main(['train', '--catalog', 'a', '--events', 'b', '--out', 'c', '--dim', 'big'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain("--dim must be an integer in 4..256, got 'big'");
    const d = capture();
    expect(await main(['gen-data', '--out', dir, '--colour', 'red'], d.io)).toBe(2);
    expect(d.err.join('\n')).toMatch(/colour/);
  });

  it('exits 1 naming the file when an input is missing or broken', async () => {
    const a = capture();
    expect(await main(['train', '--catalog', join(dir, 'nope.json'), '--events', 'e.csv', '--out', join(dir, 'o')], a.io)).toBe(1);
    expect(a.err.join('\n')).toMatch(/nope\.json: cannot read/);
    await writeFile(join(dir, 'bad.json'), '{"products":[{"id":"a","inStock":"yes"}]}');
    const b = capture();
    expect(await main(['train', '--catalog', join(dir, 'bad.json'), '--events', 'e.csv', '--out', join(dir, 'o')], b.io)).toBe(1);
    expect(b.err.join('\n')).toContain('products[0].inStock must be a boolean');
  });

  it('trains at its defaults, printing what validation chose and why, time and events/s', async () => {
    const shop = join(dir, 'shop');
    const t = capture();
    expect(await main(['train', '--catalog', join(shop, 'catalog.json'), '--events', join(shop, 'events.csv'), '--out', join(dir, 'reco'), '--no-search'], t.io)).toBe(0);
    const text = t.out.join('\n');
    expect(text).toMatch(/validation: [\d,]+ visitors' last step held out/);
    expect(text).toMatch(/dim 32: NDCG@10 by epoch 1:0\.\d{4}/);
    expect(text).toMatch(/transitions\.weight: 0→0\.\d{4}, .* → \d+/);
    expect(text).toMatch(/in \d+\.\d s .*: [\d,]+ events\/s/);
    const manifest = JSON.parse(await readFile(join(dir, 'reco', 'manifest.json'), 'utf8')) as { training: { validation: { choices: { setting: string }[] } } };
    expect(manifest.training.validation.choices.map((c) => c.setting)).toContain('priorWeight');
    // Pinned flags are used as given.
    const p = capture();
    expect(await main(['train', '--catalog', join(shop, 'catalog.json'), '--events', join(shop, 'events.csv'), '--out', join(dir, 'reco2'), '--no-search', '--epochs', '2', '--dim', '8', '--history', '12'], p.io)).toBe(0);
    const pinned = JSON.parse(await readFile(join(dir, 'reco2', 'manifest.json'), 'utf8')) as { dims: { embedding: number; history: number } };
    expect(pinned.dims).toMatchObject({ embedding: 8, history: 12 });
    expect(p.out.join('\n')).toMatch(/× 2 epochs/);
  }, 120_000);

  it('evaluates both protocols against the tuned baselines, writing JSON', async () => {
    const shop = join(dir, 'shop');
    const e = capture();
    const code = await main(['eval', '--catalog', join(shop, 'catalog.json'), '--events', join(shop, 'events.csv'), '--epochs', '2', '--no-search', '--out', join(dir, 'eval.json')], e.io);
    expect(code).toBe(0);
    expect(e.out.join('\n')).toMatch(/\| popularity \|[\s\S]*\| item-kNN \|[\s\S]*\| last-item transition \|[\s\S]*\| EASE \|[\s\S]*\| model \|/);
    const report = JSON.parse(await readFile(join(dir, 'eval.json'), 'utf8')) as { protocols: { protocol: string; methods: Record<string, { ndcg: number }>; tuned: Record<string, unknown> }[] };
    expect(report.protocols.map((p) => p.protocol)).toEqual(['leave-last-out', 'time']);
    for (const p of report.protocols) {
      expect(Object.keys(p.methods)).toEqual(['popularity', 'item-kNN', 'last-item transition', 'EASE', 'model']);
      expect(Object.keys(p.tuned)).toEqual(['popularity', 'item-kNN', 'last-item transition', 'EASE']);
    }
  }, 180_000);
});
