/**
 * The runtime path and the eval path give the same lists. A package is trained by `train()` at its
 * defaults on the leave-last-out training part of a small generated shop; `inpage eval` scores it
 * (keeping each query's top-10); then each eval visitor's events are replayed through
 * `createRecommender` → `track()` → `recommend({ strategy: 'for-you', excludeSeen: true })`, with
 * the model run by the JS reference and by the real graph in onnxruntime-node, and the lists must
 * match the eval's exactly.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineLike } from '../../src/recommend/engine-like.ts';
import type { FetchLike } from '../../src/recommend/load.ts';
import { createRecommender } from '../../src/recommend/recommender.ts';
import { EVENT_TYPES } from '../../src/recommend/weights.ts';
import { loadPackage } from '../../tools/eval/load-model.ts';
import { runEval, type ProtocolReport } from '../../tools/eval/run.ts';
import { leaveLastOutSplit } from '../../tools/eval/protocols.ts';
import { FEATURE_FREE_SHOP_CONFIG, TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { writeShop } from '../../tools/shop/generate.ts';
import { readCatalog, type TrainCatalog } from '../../tools/train/catalog.ts';
import { readEvents, type EventLog } from '../../tools/train/read-events.ts';
import type { ScorerWeights } from '../../tools/train/reference.ts';
import { recoEngine } from './helpers/reco-engine.ts';
import { train } from '../../tools/train/train.ts';

const BASE = 'http://shop.test/reco/';
let dir = '';
let catalog: TrainCatalog;
let log: EventLog;
let report: ProtocolReport;
let weights: ScorerWeights;

/** The events as the CSV the trainer reads. */
function toCsv(l: EventLog, ids: readonly string[]): string {
  const rows = ['session_id,item_id,event,timestamp,user_id'];
  for (let e = 0; e < l.length; e++) rows.push(`s${l.session[e]},${ids[l.item[e]!]},${EVENT_TYPES[l.code[e]!]},${new Date(l.time[e]!).toISOString()},u${l.user[e]}`);
  return `${rows.join('\n')}\n`;
}

const fetchFromDir: FetchLike = async (url) => {
  const bytes = new Uint8Array(await readFile(join(dir, 'reco', url.slice(BASE.length))));
  return { ok: true, status: 200, arrayBuffer: async () => bytes.slice().buffer };
};

/** An engine whose model runs the JS reference or the real graph in onnxruntime-node. */
const engine = (kind: 'reference' | 'ort'): EngineLike => recoEngine(kind, async (url) => new Uint8Array(await readFile(join(dir, 'reco', url.slice(BASE.length)))), () => weights);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-runtime-eval-'));
  // The feature-free behaviour on the tiny shop's scale: visitors with several sessions.
  await writeShop(join(dir, 'shop'), { ...FEATURE_FREE_SHOP_CONFIG, products: TINY_SHOP_CONFIG.products, sessions: TINY_SHOP_CONFIG.sessions, shoppers: TINY_SHOP_CONFIG.shoppers, days: TINY_SHOP_CONFIG.days });
  catalog = await readCatalog(join(dir, 'shop', 'catalog.json'));
  log = await readEvents(join(dir, 'shop', 'events.csv'), catalog.index);
  // `inpage train` at its defaults (validation inside) on the leave-last-out training part.
  await writeFile(join(dir, 'train.csv'), toCsv(leaveLastOutSplit(log).train, catalog.ids));
  await train({ catalog: join(dir, 'shop', 'catalog.json'), events: join(dir, 'train.csv'), outDir: join(dir, 'reco'), encoder: false });
  weights = (await loadPackage(join(dir, 'reco'))).weights;
  const r = await runEval({ catalog: join(dir, 'shop', 'catalog.json'), events: join(dir, 'shop', 'events.csv'), modelDir: join(dir, 'reco'), protocols: ['leave-last-out'], keepLists: true });
  report = r.protocols[0]!;
}, 240_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runtime path = eval path', () => {
  it('the shipped model has its sequential component', () => {
    expect(weights.transitions?.recency.length ?? 0).toBeGreaterThan(0);
    expect(report.queries).toBeGreaterThan(300);
  });

  for (const kind of ['reference', 'ort'] as const) {
    it(`replaying eval visitors through createRecommender gives the eval's top-10 (${kind})`, async () => {
      const split = report.lists!.split;
      const evalLists = report.lists!.byMethod['model']!;
      const users = split.users;
      // The clock at the log's end and the longest retention: the eval replays whole histories.
      const end = log.time.reduce((a, b) => Math.max(a, b), 0);
      const rec = await createRecommender({ engine: engine(kind), manifestUrl: `${BASE}manifest.json`, storage: null, fetch: fetchFromDir, now: () => end, retention: { days: 400 } });
      // Every 7th query: visitors with one step and with long multi-session histories alike.
      let compared = 0;
      let multiSession = 0;
      for (let q = 0; q < split.user.length; q += 7) {
        const u = split.user[q]!;
        const target = split.step[q]!;
        const lastKept = users.event[target - 1]!;
        // The visitor's raw events before the target step, in the order the trainer reads them.
        const events = Array.from({ length: log.length }, (_, e) => e)
          .filter((e) => log.user[e] === u && (log.time[e]! < log.time[lastKept]! || (log.time[e] === log.time[lastKept] && e <= lastKept)))
          .sort((a, b) => log.time[a]! - log.time[b]! || a - b);
        if (new Set(events.map((e) => log.session[e])).size > 1) multiSession++;
        await rec.forget();
        for (const e of events) rec.track({ type: EVENT_TYPES[log.code[e]!]!, itemId: catalog.ids[log.item[e]!]!, time: log.time[e]! });
        const list = await rec.recommend({ strategy: 'for-you', k: 10, excludeSeen: true });
        expect(list.map((r) => r.itemId), `query ${q} (visitor ${u}, ${events.length} events)`).toEqual(evalLists[q]!.map((j) => catalog.ids[j]));
        compared++;
      }
      expect(compared).toBeGreaterThan(40);
      expect(multiSession).toBeGreaterThan(10);
      await rec.dispose();
    }, 120_000);
  }
});
