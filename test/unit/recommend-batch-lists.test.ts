/**
 * The batched lists of `inpage recommend` (tools/recommend/batch-lists.ts) equal the page's
 * `recommendList` per subscriber (`subscriberList`), field for field, on 1,000 seeded histories,
 * for every strategy and filter the CLI offers: seen exclusion on and off, `--exclude`,
 * out-of-stock items, price and category filters, and filters so narrow that lists come out
 * shorter than k (rows that ask the model for fewer items run in a batch of their own).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHistories } from '../../bench/newsletter-histories.ts';
import type { ListPackage } from '../../src/recommend/list.ts';
import { TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { writeShop } from '../../tools/shop/generate.ts';
import { BatchLists } from '../../tools/recommend/batch-lists.ts';
import { readHistories, type SubscriberHistory } from '../../tools/recommend/histories.ts';
import { openPackage, subscriberList, type BatchRequest } from '../../tools/recommend/subscriber-list.ts';
import { train } from '../../tools/train/train.ts';

let dir = '';
let pkg: ListPackage;
let dispose = async (): Promise<void> => {};
const subs: SubscriberHistory[] = [];
const NOW = Date.parse('2026-12-01T00:00:00Z');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-batch-lists-'));
  const reco = join(dir, 'reco');
  await writeShop(join(dir, 'shop'), TINY_SHOP_CONFIG);
  await train({ catalog: join(dir, 'shop', 'catalog.json'), events: join(dir, 'shop', 'events.csv'), outDir: reco, model: { maxEpochs: 3 }, encoder: false });
  await writeHistories(reco, 1000, join(dir, 'subscribers.csv'), 13);
  for await (const s of readHistories(join(dir, 'subscribers.csv'), { maxBadLines: 0 }).subscribers) subs.push(s);
  const opened = await openPackage(reco, 'wasm');
  pkg = opened.pkg;
  dispose = opened.dispose;
}, 120_000);
afterAll(async () => {
  await dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Both paths over all subscribers; the batched one in two calls, so its buffers are reused. */
async function both(req: BatchRequest): Promise<{ got: unknown[]; want: unknown[]; lengths: number[] }> {
  const want = await Promise.all(subs.map((s) => subscriberList(pkg, s, req, NOW)));
  const lists = new BatchLists(pkg, req, NOW);
  const got = [...(await lists.build(subs.slice(0, 300))), ...(await lists.build(subs.slice(300)))];
  return { got, want, lengths: want.map((w) => w.recs.length) };
}

describe('BatchLists', () => {
  it('builds the lists of recommendList for for-you, similar and trending, seen exclusion on and off', async () => {
    const ids = pkg.items.ids;
    const cases: BatchRequest[] = [
      { strategy: 'for-you', k: 6, excludeSeen: true, exclude: [] },
      { strategy: 'for-you', k: 10, excludeSeen: false, exclude: [ids[0]!, ids[5]!, 'not-an-item'], filter: { includeOutOfStock: true, minPrice: 20 } },
      { strategy: 'similar', k: 6, excludeSeen: true, exclude: [ids[1]!] },
      { strategy: 'trending', k: 4, excludeSeen: true, exclude: [], filter: { category: pkg.items.categories.slice(0, 2).map((c) => c.id), maxPrice: 150 } },
    ];
    for (const req of cases) {
      const { got, want } = await both(req);
      expect(got, JSON.stringify(req)).toEqual(want);
    }
    const forYou = await both(cases[0]!);
    const kinds = new Set((forYou.got as { list: string }[]).map((g) => g.list));
    expect(kinds).toEqual(new Set(['personal', 'trending'])); // both kinds of subscriber occur
  }, 120_000);

  it('builds the same short lists when a narrow filter leaves fewer items than k', async () => {
    const { items } = pkg;
    const cat = items.category[0]!;
    const prices = items.ids.map((_, j) => j).filter((j) => items.category[j] === cat && items.inStock[j] === 1).map((j) => items.price[j]!).sort((a, b) => a - b);
    const filter = { category: items.categories[cat]!.id, maxPrice: prices[Math.min(7, prices.length - 1)]! };
    for (const strategy of ['for-you', 'similar'] as const) {
      const { got, want, lengths } = await both({ strategy, k: 8, excludeSeen: true, exclude: [], filter });
      expect(got, strategy).toEqual(want);
      expect(new Set(lengths).size, `${strategy}: list lengths vary`).toBeGreaterThan(1);
      expect(Math.min(...lengths), strategy).toBeLessThan(8);
    }
  }, 120_000);
});
