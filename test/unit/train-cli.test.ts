/**
 * The `inpage` CLI: help, usage errors with exit code 2, messages a person can act on (a folder
 * for a file, too many bad lines, a catalogue that cannot teach everything), and
 * gen-data → train → eval on a tiny shop.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
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
    expect(a.err.join('\n')).toMatch(/--catalog '.*nope\.json': cannot read \(no such file\)/);
    await writeFile(join(dir, 'bad.json'), '{"products":[{"id":"a","inStock":"yes"}]}');
    const b = capture();
    expect(await main(['train', '--catalog', join(dir, 'bad.json'), '--events', join(dir, 'shop', 'events.csv'), '--out', join(dir, 'o')], b.io)).toBe(1);
    expect(b.err.join('\n')).toContain('products[0].inStock must be a boolean');
  });

  it('a folder passed as a file names the flag and the files in it', async () => {
    const shop = join(dir, 'shop');
    const c = capture();
    expect(await main(['train', '--catalog', join(shop, 'catalog.json'), '--events', shop, '--out', join(dir, 'o')], c.io)).toBe(1);
    expect(c.err.join('\n')).toBe(`inpage train: --events '${shop}' is a folder; pass the event log (CSV or JSON Lines) file itself. It holds ${shop}/events.csv.`);
    const e = capture();
    expect(await main(['eval', '--catalog', shop, '--events', join(shop, 'events.csv')], e.io)).toBe(1);
    expect(e.err.join('\n')).toBe(`inpage eval: --catalog '${shop}' is a folder; pass the catalogue (JSON) file itself. It holds ${shop}/catalog.json.`);
  });

  it('a header-only event log says so; --max-bad-lines turns skipped lines into a failure', async () => {
    const shop = join(dir, 'shop');
    const catalog = join(shop, 'catalog.json');
    await writeFile(join(dir, 'header.csv'), 'session_id,item_id,event,timestamp\n');
    const h = capture();
    expect(await main(['train', '--catalog', catalog, '--events', join(dir, 'header.csv'), '--out', join(dir, 'o')], h.io)).toBe(1);
    expect(h.err.join('\n')).toMatch(/header\.csv: the file has a header row \('session_id,item_id,event,timestamp'\) and no events under it\.$/);

    const events = (await readFile(join(shop, 'events.csv'), 'utf8')).split('\n');
    const withBad = [...events.slice(0, 200), 'garbage', 's-1,sku-10001,view,yesterday', ...events.slice(200)].join('\n');
    await writeFile(join(dir, 'bad-lines.csv'), withBad);
    const strict = capture();
    expect(await main(['train', '--catalog', catalog, '--events', join(dir, 'bad-lines.csv'), '--out', join(dir, 'o'), '--max-bad-lines', '1'], strict.io)).toBe(1);
    expect(strict.err.join('\n')).toMatch(/more than 1 lines could not be read \(stopped at line 202\)[\s\S]*line 201: 1 fields, expected 4: 'garbage'[\s\S]*line 202: timestamp 'yesterday' is not ISO 8601/);
    const loose = capture();
    expect(await main(['train', '--catalog', catalog, '--events', join(dir, 'bad-lines.csv'), '--out', join(dir, 'reco-loose'), '--epochs', '1', '--no-validation'], loose.io)).toBe(0);
    expect(loose.err.join('\n')).toMatch(/^skipped 2 unreadable lines, 0 rows with an unknown event type, 0 rows with an item not in the catalogue/);
    const usage = capture();
    expect(await main(['train', '--catalog', catalog, '--events', 'x', '--out', 'o', '--max-bad-lines', 'lots'], usage.io)).toBe(2);
    expect(usage.err.join('\n')).toContain("--max-bad-lines must be an integer in 0.., got 'lots'");
    const help = capture();
    await main(['train', '--help'], help.io);
    expect(help.out.join('\n')).toMatch(/--max-bad-lines <n> .*\(default 100\)/);
  }, 60_000);

  it('a catalogue with ids only: warns, learns no brand/price/category rows, writes no search encoder', async () => {
    const shop = join(dir, 'shop');
    const full = JSON.parse(await readFile(join(shop, 'catalog.json'), 'utf8')) as { products: { id: string }[] };
    await writeFile(join(dir, 'ids.json'), JSON.stringify({ products: full.products.map((p) => ({ id: p.id })) }));
    const out = join(dir, 'reco-ids');
    // A stale encoder from an earlier run must not survive next to the new model.
    expect(await main(['train', '--catalog', join(shop, 'catalog.json'), '--events', join(shop, 'events.csv'), '--out', out, '--epochs', '1', '--no-validation'], capture().io)).toBe(0);
    // Every search artifact is named by its hash too (the encoder folder by its files'), and exists.
    const sj = JSON.parse(await readFile(join(out, 'search.json'), 'utf8')) as { index: string; encoder: { model: string }; files: Record<string, unknown> };
    expect([sj.index, sj.encoder.model]).toEqual([expect.stringMatching(/^search\.[0-9a-f]{16}\.onnx$/), expect.stringMatching(/^encoder-[0-9a-f]{16}$/)]);
    for (const name of Object.keys(sj.files)) await stat(join(out, name));
    const c = capture();
    expect(await main(['train', '--catalog', join(dir, 'ids.json'), '--events', join(shop, 'events.csv'), '--out', out, '--epochs', '1', '--no-validation'], c.io)).toBe(0);
    const err = c.err.join('\n');
    expect(err).toContain('warning: no product has a title, description, brand, category or tags: no search encoder was trained and search.json was not written');
    expect(err).toContain('warning: no product has a category');
    expect(err).toContain('warning: no product has a brand: brand features were not learned.');
    expect(err).toContain('warning: every product has the price 0 (or none): price bands were not learned');
    expect(c.out.join('\n')).not.toMatch(/search encoder|text views/);
    await expect(stat(join(out, 'search.json'))).rejects.toThrow();
    await expect(stat(join(out, 'encoder'))).rejects.toThrow();
    // Content-addressed names: the manifest names files that carry their hash (and exist).
    const m = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { model: string; items: string; files: Record<string, { sha256: string }> };
    for (const name of [m.model, m.items]) {
      expect(name).toMatch(new RegExp(`^\\w+\\.${m.files[name]!.sha256.slice(0, 16)}\\.(onnx|json)$`));
      await stat(join(out, name));
    }
  }, 60_000);

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
    const code = await main(['eval', '--catalog', join(shop, 'catalog.json'), '--events', join(shop, 'events.csv'), '--epochs', '2', '--no-search', '--no-assistant', '--out', join(dir, 'eval.json')], e.io);
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
