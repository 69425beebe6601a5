/**
 * The choice of update-catalog's new-item settings on a second cut inside the training period
 * (tools/eval/new-items-tune.ts), on the tiny generated shop (products launch during its log).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogAtCut, eventsAtCut, newItemsAt } from '../../tools/eval/new-items-split.ts';
import { tuneNewItems } from '../../tools/eval/new-items-tune.ts';
import { timeSplit } from '../../tools/eval/protocols.ts';
import { TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { writeShop } from '../../tools/shop/generate.ts';
import { readCatalog, type TrainCatalog } from '../../tools/train/catalog.ts';
import { DEFAULT_MODEL_OPTIONS, fitModel, type ModelOptions } from '../../tools/train/model.ts';
import { DEFAULT_NEW_ITEM_SETTINGS } from '../../tools/train/new-items.ts';
import { readEvents, type EventLog } from '../../tools/train/read-events.ts';
import { buildSessions } from '../../tools/train/sessions.ts';
import { buildItemsFile, packageFiles } from '../../tools/train/train.ts';
import type { RecommenderManifest } from '../../src/recommend/manifest.ts';
import { viewLog } from '../fixtures/event-log.ts';

let dir = '';
let train: EventLog;
let atCut: TrainCatalog;
let manifest: RecommenderManifest;
const options: ModelOptions = { ...DEFAULT_MODEL_OPTIONS, epochs: 2 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-new-items-tune-'));
  await writeShop(dir, TINY_SHOP_CONFIG);
  const catalog = await readCatalog(join(dir, 'catalog.json'));
  const log = await readEvents(join(dir, 'events.csv'), catalog.index);
  // The eval's cut, then the model at it (what new-items.ts hands to tuneNewItems).
  const split = timeSplit(log, 0.1);
  const n = newItemsAt(log, split.train, catalog.ids.length);
  atCut = catalogAtCut(catalog, n);
  train = eventsAtCut(split.train, n);
  const sessions = buildSessions(train);
  manifest = packageFiles(fitModel(sessions, atCut, options), buildItemsFile(atCut, sessions, options, 7), options, 10, {}).manifest;
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('new-item settings chosen on the training period', () => {
  it('scores every grid point on the second cut and keeps the best overall NDCG', () => {
    const grid = { spread: [1, 3], priorQuantile: [0.5, 1] };
    const t = tuneNewItems(train, atCut, options, manifest, { testShare: 0.2, k: 10, grid });
    expect(t.newItems).toBeGreaterThan(0);
    expect(t.newTargetQueries).toBeGreaterThan(0);
    expect(t.trials.map((x) => x.settings)).toEqual([
      { spread: 1, priorQuantile: 0.5 }, { spread: 1, priorQuantile: 1 }, { spread: 3, priorQuantile: 0.5 }, { spread: 3, priorQuantile: 1 },
    ]);
    const best = Math.max(...t.trials.map((x) => x.ndcg));
    expect(t.trials.find((x) => x.ndcg === best)!.settings).toEqual(t.chosen);
    // The settings matter: the highest prior and spread put more new items in the lists than the plain mean at the median.
    expect(t.trials[3]!.newShareOfSlots).toBeGreaterThan(t.trials[0]!.newShareOfSlots);
  }, 120_000);

  it('keeps the defaults when no item is new at the second cut', () => {
    // Two early sessions and two late ones, every item seen early: nothing is new, nothing is trained.
    const DAY = 86_400_000;
    const sessions: [number, number, number[]][] = [[0, 0, [0, 2]], [1, 1, [2, 1]], [0, 9, [1, 2]], [1, 10, [0, 1]]];
    const log = viewLog(sessions.flatMap(([u, day, items], s) => items.map((item, i) => ({ s, u, item, t: day * DAY + i * 1000 }))), sessions.length);
    const three = catalogAtCut(atCut, { isNew: Uint8Array.from(atCut.ids, (_, i) => (i < 3 ? 0 : 1)), firstSeen: new Float64Array(0), oldIndex: new Int32Array(0), count: 0 });
    const t = tuneNewItems(log, three, options, manifest, { testShare: 0.2, k: 10 });
    expect(t.newItems).toBe(0);
    expect(t.queries).toBeGreaterThan(0);
    expect(t.trials).toEqual([]);
    expect(t.chosen).toEqual(DEFAULT_NEW_ITEM_SETTINGS);
  });
});
