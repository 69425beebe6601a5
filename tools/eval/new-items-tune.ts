/**
 * Chooses `update-catalog`'s new-item settings (tools/train/new-items.ts) on the training period
 * only, never on the reported test period: a second time cut T2 inside the training events plays
 * the eval's cut. Items with events in [T2, T) but none before T2 are "new" there; a model is
 * trained on the events before T2 with the catalogue of T2 (same options as the model at T, no
 * second validation search), updated to the catalogue of T with each candidate setting, and
 * scored on the queries of [T2, T) by the eval's own path (`modelScorer` → `evaluate`), new items
 * recommendable from their first event's UTC day as in the eval. The setting with the best overall
 * NDCG@k wins: new and old targets weigh as they occur, so a setting that pushes new items past
 * what visitors go to loses on the old targets it displaces.
 */
import type { RecommenderManifest } from '../../src/recommend/manifest.ts';
import type { TrainCatalog } from '../train/catalog.ts';
import { fitModel, type ModelOptions } from '../train/model.ts';
import { DEFAULT_NEW_ITEM_SETTINGS, type NewItemSettings } from '../train/new-items.ts';
import type { EventLog } from '../train/read-events.ts';
import { buildSessions } from '../train/sessions.ts';
import { updatedWeights } from '../train/update-catalog.ts';
import { evaluate } from './evaluate.ts';
import { availableFrom, catalogAtCut, eventsAtCut, metricsOf, newItemsAt, newShareOfSlots, newTargets } from './new-items-split.ts';
import { timeSplit } from './protocols.ts';
import { modelScorer } from './scorers.ts';

/** The grid searched (every pair). spread 1 / quantile 0.5 is the pre-tuning rule's prior with a plain mean vector. */
export const NEW_ITEM_GRID: { spread: readonly number[]; priorQuantile: readonly number[] } = {
  spread: [1, 2, 3, 4, 6],
  priorQuantile: [0.5, 0.75, 0.9, 1],
};

/** One candidate's validation figures. */
export interface NewItemTrial {
  settings: NewItemSettings;
  /** NDCG@k over every validation query (what is maximised). */
  ndcg: number;
  newTargetsHitRate: number;
  oldTargetsNdcg: number;
  newShareOfSlots: number;
}

/** What {@link tuneNewItems} chose and why. */
export interface NewItemTuning {
  description: string;
  chosen: NewItemSettings;
  /** Items new at T2, validation queries, and how many of those go to a new item. */
  newItems: number;
  queries: number;
  newTargetQueries: number;
  trials: NewItemTrial[];
}

/** Options of {@link tuneNewItems}. */
export interface NewItemTuneOptions {
  /** Share of the training period after T2. */
  testShare: number;
  k: number;
  grid?: typeof NEW_ITEM_GRID;
  log?: (line: string) => void;
}

/**
 * Tunes the new-item settings on `events` (the training events, item indices of `catalog`, the
 * catalogue of the eval's cut). `manifest` is the package trained at T with `options` (its history
 * length and weighting drive the scorer). Falls back to the defaults when no item is new at T2.
 *
 * @example const t = tuneNewItems(trainEvents, catalogAtT, options, manifestAtT, { testShare: 0.1, k: 10 });
 */
export function tuneNewItems(events: EventLog, catalog: TrainCatalog, options: Readonly<ModelOptions>, manifest: RecommenderManifest, opts: NewItemTuneOptions): NewItemTuning {
  const say = opts.log ?? (() => {});
  const grid = opts.grid ?? NEW_ITEM_GRID;
  const split = timeSplit(events, opts.testShare);
  const N = catalog.ids.length;
  const n = newItemsAt(events, split.train, N);
  const description = `second cut inside the training period: ${split.description}; ${n.count} items new there`;
  if (n.count === 0) {
    return { description, chosen: { ...DEFAULT_NEW_ITEM_SETTINGS }, newItems: 0, queries: split.user.length, newTargetQueries: 0, trials: [] };
  }
  const atT2 = catalogAtCut(catalog, n);
  const sessions = buildSessions(eventsAtCut(split.train, n));
  const fit = fitModel(sessions, atT2, options);
  const oldIndex = Array.from(n.oldIndex);
  const scorerManifest: RecommenderManifest = { ...manifest, dims: { ...manifest.dims, items: N } };
  const settings = grid.spread.flatMap((spread) => grid.priorQuantile.map((priorQuantile) => ({ spread, priorQuantile })));
  const name = (s: NewItemSettings): string => `spread ${s.spread}, prior q${s.priorQuantile}`;
  const scorers = settings.map((s) => modelScorer(updatedWeights(fit.weights, catalog, oldIndex, s), scorerManifest, name(s)));
  const lists: Record<string, number[][]> = {};
  const ranks: Record<string, number[]> = {};
  evaluate(split, scorers, { items: N, inStock: Uint8Array.from(catalog.inStock, (s) => (s ? 1 : 0)), k: opts.k, availableFrom: availableFrom(n), lists, ranks });
  const isNew = newTargets(split, n.isNew);
  const trials = settings.map((s): NewItemTrial => {
    const r = ranks[name(s)] ?? [];
    const l = lists[name(s)] ?? [];
    return {
      settings: s,
      ndcg: metricsOf(r, l, new Uint8Array(r.length), 0, opts.k, N).ndcg,
      newTargetsHitRate: metricsOf(r, l, isNew, 1, opts.k, N).hitRate,
      oldTargetsNdcg: metricsOf(r, l, isNew, 0, opts.k, N).ndcg,
      newShareOfSlots: newShareOfSlots(l, n.isNew),
    };
  });
  // Ties keep the earlier (smaller) setting: no push without a gain.
  const best = trials.reduce((a, b) => (b.ndcg > a.ndcg ? b : a));
  for (const t of trials) {
    say(`  ${name(t.settings)}: NDCG@${opts.k} ${t.ndcg.toFixed(4)} (old targets ${t.oldTargetsNdcg.toFixed(4)}), new-target HitRate ${t.newTargetsHitRate.toFixed(4)}, new items' share of slots ${(100 * t.newShareOfSlots).toFixed(1)}%${t === best ? '  ← chosen' : ''}`);
  }
  const newTargetQueries = isNew.reduce((a, x) => a + x, 0);
  return { description, chosen: { ...best.settings }, newItems: n.count, queries: split.user.length, newTargetQueries, trials };
}
