/**
 * Baselines tuned as carefully as the model: each method's settings are chosen on the same
 * validation split the trainer uses (the training period's leave-last-out, select.ts), then the
 * method is rebuilt on the whole training period with them. Nothing here sees the test queries.
 */
import type { Holdout } from '../train/holdout.ts';
import type { Sessions } from '../train/sessions.ts';
import { easeItems, easeScorer, easeWeights, gram } from './ease.ts';
import { ndcgOf, type EvalOptions, type Scorer } from './evaluate.ts';
import { itemKnnScorer, popularityScorer, transitionScorer, type ItemKnnSettings, type PopularitySettings, type TransitionSettings } from './scorers.ts';

/** A baseline's chosen settings and the validation figures behind them. */
export interface Tuned<S> {
  settings: S;
  validationNdcg: number;
  /** Settings tried with their validation NDCG@10. */
  tried: { settings: S; ndcg: number }[];
}

/** A tunable baseline: how to build it from training data and the grid of settings to try. */
interface Baseline<S, D> {
  name: string;
  grid: (data: D) => Iterable<S>;
  build: (data: D, settings: S) => Scorer;
}

/** Tries every setting on validation; returns the best (ties: the first tried). */
function tuneOn<S, D>(b: Baseline<S, D>, data: D, validation: Holdout, opts: EvalOptions): Tuned<S> {
  const tried: { settings: S; ndcg: number }[] = [];
  for (const s of b.grid(data)) tried.push({ settings: s, ndcg: ndcgOf(validation, b.build(data, s), opts) });
  const best = tried.reduce((a, x) => (x.ndcg > a.ndcg ? x : a));
  return { settings: best.settings, validationNdcg: best.ndcg, tried };
}

const POPULARITY: Baseline<PopularitySettings, { sessions: Sessions; items: number }> = {
  name: 'popularity',
  grid: () => [0, 30, 7, 2].map((halfLifeDays) => ({ halfLifeDays })),
  build: (d, s) => popularityScorer(d.sessions, d.items, s),
};

const ITEM_KNN: Baseline<ItemKnnSettings, { sessions: Sessions; items: number }> = {
  name: 'item-kNN',
  grid: function* () {
    for (const window of [1, 3, 10, 50]) for (const decay of [0.3, 0.6, 0.9]) yield { window, decay, history: 20 };
  },
  build: (d, s) => itemKnnScorer(d.sessions, d.items, s),
};

const TRANSITION: Baseline<TransitionSettings, { sessions: Sessions; items: number }> = {
  name: 'last-item transition',
  grid: function* () {
    for (const window of [1, 2, 3]) {
      yield { window, recent: 1, decay: 0 };
      for (const decay of [0.25, 0.5]) yield { window, recent: 3, decay };
    }
  },
  build: (d, s) => transitionScorer(d.sessions, d.items, s),
};

/** Everything the baselines learn from: sessions (popularity, kNN, transitions) and visitors (EASE). */
export interface BaselineData {
  sessions: Sessions;
  users: Sessions;
  items: number;
}

/** The four tuned baselines, rebuilt on `train` with settings chosen on `validation` (built from `valData`). */
export function tunedBaselines(valData: BaselineData, validation: Holdout, train: BaselineData, opts: EvalOptions, log: (line: string) => void = () => {}): { scorers: Scorer[]; tuned: Record<string, Tuned<unknown>> } {
  const tuned: Record<string, Tuned<unknown>> = {};
  const scorers: Scorer[] = [];
  for (const b of [POPULARITY, ITEM_KNN, TRANSITION] as Baseline<unknown, { sessions: Sessions; items: number }>[]) {
    const t = tuneOn(b, valData, validation, opts);
    tuned[b.name] = t;
    scorers.push(b.build(train, t.settings));
    log(`  ${b.name}: chose ${JSON.stringify(t.settings)} (validation NDCG@10 ${t.validationNdcg.toFixed(4)})`);
  }
  // EASE: one matrix inversion per λ; the grid widens past an edge winner once.
  const valKept = easeItems(valData.users, valData.items);
  const g = gram(valData.users, valKept, valData.items);
  const tried: { settings: { lambda: number }; ndcg: number }[] = [];
  const tryLambda = (lambda: number): void => {
    tried.push({ settings: { lambda }, ndcg: ndcgOf(validation, easeScorer(easeWeights(g, valKept.length, lambda), valKept, valData.items), opts) });
  };
  for (const lambda of [20, 100, 500, 2500]) tryLambda(lambda);
  const sorted = (): { settings: { lambda: number }; ndcg: number }[] => [...tried].sort((a, b) => a.settings.lambda - b.settings.lambda);
  const bestOf = (): { settings: { lambda: number }; ndcg: number } => tried.reduce((a, x) => (x.ndcg > a.ndcg ? x : a));
  if (bestOf() === sorted()[0]) tryLambda(4);
  else if (bestOf() === sorted()[sorted().length - 1]) tryLambda(12_500);
  const best = bestOf();
  tuned['EASE'] = { settings: best.settings, validationNdcg: best.ndcg, tried: sorted() };
  log(`  EASE: chose λ ${best.settings.lambda} (validation NDCG@10 ${best.ndcg.toFixed(4)})`);
  const kept = easeItems(train.users, train.items);
  if (kept.length < train.items) log(`  EASE models the ${kept.length.toLocaleString('en')} most frequent of ${train.items.toLocaleString('en')} items (dense inverse)`);
  scorers.push(easeScorer(easeWeights(gram(train.users, kept, train.items), kept.length, best.settings.lambda), kept, train.items));
  return { scorers, tuned };
}
