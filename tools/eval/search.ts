/**
 * Offline search eval. For each split (seed) ~10% of the items are held out of encoder training
 * and three query sets are ranked over the whole catalogue:
 *
 *   A        family A templates (search-queries.ts) from held-out items: the family the encoder's
 *            and the fusion's settings were tuned on (on other splits); relevance = every item
 *            with all the query's attributes, the encoder's own training rule, so it is reported
 *            apart and is not part of the independent set;
 *   B        family B templates (search-queries-b.ts) from held-out items, graded fact rule;
 *   fixture  138 hand-written shopper queries (fixtures/shopper-queries.json), graded fact rule.
 *
 * Independent set = B + fixture. Every query is scored two ways: relevant = every grade-2 item
 * ("all"), and relevant = grade-2 items among the split's held-out items ("held-out"; the other
 * grade-2 items leave the ranking). Methods: the keyword library (MiniSearch, tuned and with its
 * defaults), the encoder alone, the keyword library with the query rules, and the hybrid.
 */
import { readFileSync } from 'node:fs';
import { pricePositions, type HybridSettings } from '../../src/recommend/search-hybrid.ts';
import { KeywordIndex, UNTUNED_KEYWORD_SETTINGS, type KeywordSettings } from '../../src/recommend/search-keyword.ts';
import { keywordDoc, type ItemText } from '../encoder/catalog-text.ts';
import { referenceEncoder } from '../encoder/reference.ts';
import { DEFAULT_HYBRID_SETTINGS, DEFAULT_KEYWORD_SETTINGS } from '../encoder/search-settings.ts';
import { DEFAULT_ENCODER_OPTIONS, fitEncoder, type EncoderOptions } from '../encoder/train-encoder.ts';
import { generateQueries, holdOut } from './search-queries.ts';
import { generateQueriesB } from './search-queries-b.ts';
import { itemsTable, queryMetrics, rankers, type Ranker } from './search-rank.ts';
import { makeJudge, parseJudgements, type JudgedQuery } from './search-relevance.ts';

/** The committed hand-written queries (demo shop). */
export function readShopperQueries(): JudgedQuery[] {
  return parseJudgements(JSON.parse(readFileSync(new URL('./fixtures/shopper-queries.json', import.meta.url), 'utf8')));
}

/** Method names, in report order. */
export const METHODS = {
  keyword: 'keyword library (MiniSearch, tuned)',
  untuned: 'keyword library (MiniSearch defaults)',
  encoder: 'encoder alone (q8)',
  rules: 'keyword library + query rules',
  hybrid: 'hybrid (rec.search)',
} as const;
type MethodKey = keyof typeof METHODS;
/** The two ways relevance is counted. */
export type RelevanceCount = 'all' | 'held-out';

/** Means over queries. */
export interface SearchMetrics {
  queries: number;
  recall: number;
  mrr: number;
  ndcg: number;
}

/** The search part of the eval report. */
export interface SearchEvalReport {
  k: number;
  depth: number;
  items: number;
  splits: { seed: number; heldOutItems: number; queries: Record<string, number> }[];
  examples: Record<string, string[]>;
  /** Independent set (B + fixture): relevance count → method → metrics. */
  independent: Record<RelevanceCount, Record<string, SearchMetrics>>;
  /** Family → relevance count → method → metrics. Families: 'A (tuning family)', 'B: <template>', 'fixture: <kind>'. */
  families: Record<string, Record<RelevanceCount, Record<string, SearchMetrics>>>;
  /** The targets on the independent set and per family. */
  targets: { ratios: Record<RelevanceCount, { recall: number; mrr: number }>; worstFamily: { family: string; metric: string; delta: number }; met: boolean };
  settings: { keyword: KeywordSettings; hybrid: HybridSettings };
  encoder: { options: EncoderOptions; vocab: number; dim: number; fitSeconds: number };
}

/** Options of {@link runSearchEval}. */
export interface SearchEvalOptions {
  texts: readonly ItemText[];
  /** The recommender's item vectors ([items, dim], catalogue order): the encoder's targets. */
  itemVectors: Float32Array;
  dim: number;
  heldOutShare?: number;
  /** Reported splits. Default [1, 3, 4] (2, 5, 6, 7 are the tuning splits). */
  seeds?: readonly number[];
  k?: number;
  encoder?: Partial<EncoderOptions>;
  keyword?: KeywordSettings;
  hybrid?: HybridSettings;
  /** Hand-written queries; default the demo shop's fixture when the catalogue has its categories, else none. */
  fixture?: readonly JudgedQuery[];
  log?: (line: string) => void;
}

type Acc = { n: number; recall: number; rr: number; ndcg: number };
const add = (a: Acc | undefined, m: { recall: number; rr: number; ndcg: number }): Acc =>
  ({ n: (a?.n ?? 0) + 1, recall: (a?.recall ?? 0) + m.recall, rr: (a?.rr ?? 0) + m.rr, ndcg: (a?.ndcg ?? 0) + m.ndcg });
const mean = (a: Acc | undefined): SearchMetrics => ({ queries: a?.n ?? 0, recall: a ? a.recall / a.n : 0, mrr: a ? a.rr / a.n : 0, ndcg: a ? a.ndcg / a.n : 0 });

/** Whether the fixture applies: every category it names is in the catalogue. */
function fixtureFits(texts: readonly ItemText[], fixture: readonly JudgedQuery[]): boolean {
  const cats = new Set(texts.map((t) => t.category));
  return fixture.every((q) => q.rule.categories.every((c) => cats.has(c)));
}

/**
 * Runs the eval.
 *
 * @example const r = runSearchEval({ texts, itemVectors: fit.weights.inVec, dim: 32 });
 */
export function runSearchEval(opts: SearchEvalOptions): SearchEvalReport {
  const k = opts.k ?? 10;
  const options: EncoderOptions = { ...DEFAULT_ENCODER_OPTIONS, ...opts.encoder };
  const keywordSettings = opts.keyword ?? { ...DEFAULT_KEYWORD_SETTINGS };
  const hybrid = opts.hybrid ?? { ...DEFAULT_HYBRID_SETTINGS };
  const texts = opts.texts;
  const judge = makeJudge(texts);
  const items = itemsTable(texts);
  const pricePos = pricePositions(items.price, items.category);
  const docs = texts.map(keywordDoc);
  const keyword = new KeywordIndex(docs, keywordSettings);
  const untuned = new KeywordIndex(docs, UNTUNED_KEYWORD_SETTINGS);
  const demo = opts.fixture ?? readShopperQueries();
  const fixture = fixtureFits(texts, demo) ? demo : [];
  const fixtureGrades = fixture.map((q) => judge.grades(q.rule));
  const acc = new Map<string, Acc>(); // `${family}\0${count}\0${method}`
  const splits: SearchEvalReport['splits'] = [];
  const examples: Record<string, string[]> = {};
  let fitSeconds = 0;
  let vocab = 0;
  let dim = 0;
  for (const seed of opts.seeds ?? [1, 3, 4]) {
    const { train, heldOut } = holdOut(texts.length, opts.heldOutShare ?? 0.1, seed);
    const held = new Set(heldOut);
    const t0 = performance.now();
    const fit = fitEncoder(texts, opts.itemVectors, opts.dim, options, train);
    const seconds = (performance.now() - t0) / 1000;
    fitSeconds += seconds;
    vocab = fit.weights.vocab.tokens.length;
    dim = fit.weights.dim;
    opts.log?.(`search split ${seed}: trained the encoder on ${texts.length - heldOut.length} items (${heldOut.length} held out) in ${seconds.toFixed(1)} s`);
    const r = rankers({ items, pricePos, keyword, encoder: referenceEncoder(fit.weights, { quantized: true }), targets: fit.targets, hybrid });
    const methods: Record<MethodKey, Ranker> = { keyword: r.keyword, untuned: (t) => untuned.search(t, hybrid.depth).hits.map((h) => h.index), encoder: r.encoder, rules: r.rules, hybrid: r.hybrid };
    const sameCategory = (c: string): Uint8Array => Uint8Array.from(texts, (t) => (t.category === c ? 1 : 0));
    const queries: { text: string; family: string; independent: boolean; grades: Uint8Array }[] = [
      ...generateQueries(texts, heldOut, { seed, perItem: 2 }).map((q) => {
        const g = sameCategory(q.constraints.category);
        for (const j of q.relevant) g[j] = 2;
        return { text: q.text, family: 'A (tuning family)', independent: false, grades: g };
      }),
      ...generateQueriesB(texts, heldOut, pricePos, { seed }).map((q) => ({ text: q.text, family: `B: ${q.template}`, independent: true, grades: judge.grades(q.rule) })),
      ...fixture.map((q, i) => ({ text: q.text, family: `fixture: ${q.kind}`, independent: true, grades: fixtureGrades[i]! })),
    ];
    const counts: Record<string, number> = {};
    for (const q of queries) {
      const fam = q.family.startsWith('A') ? 'A' : q.family.startsWith('B') ? 'B' : 'fixture';
      counts[fam] = (counts[fam] ?? 0) + 1;
      (examples[fam] ??= []).length < 6 && !examples[fam]!.includes(q.text) && examples[fam]!.push(q.text);
      for (const [m, rank] of Object.entries(methods) as [MethodKey, Ranker][]) {
        const ranking = rank(q.text);
        for (const [count, only] of [['all', undefined], ['held-out', held]] as const) {
          const met = queryMetrics(ranking, q.grades, k, only);
          if (met === undefined) continue;
          const keys = [`${q.family}\0${count}\0${m}`, ...(q.independent ? [`\u0001independent\0${count}\0${m}`] : [])];
          for (const key of keys) acc.set(key, add(acc.get(key), met));
        }
      }
    }
    splits.push({ seed, heldOutItems: heldOut.length, queries: counts });
  }
  const table = (family: string): Record<RelevanceCount, Record<string, SearchMetrics>> => Object.fromEntries((['all', 'held-out'] as const).map((c) =>
    [c, Object.fromEntries((Object.keys(METHODS) as MethodKey[]).map((m) => [METHODS[m], mean(acc.get(`${family}\0${c}\0${m}`))]))])) as Record<RelevanceCount, Record<string, SearchMetrics>>;
  const familyNames = [...new Set([...acc.keys()].map((x) => x.split('\0')[0]!))].filter((f) => f !== '\u0001independent');
  const order = (f: string): number => (f.startsWith('A') ? 0 : f.startsWith('B') ? 1 : 2);
  familyNames.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const families = Object.fromEntries(familyNames.map((f) => [f, table(f)]));
  const independent = table('\u0001independent');
  // Against the stronger keyword row (tuned or MiniSearch's defaults), per metric: tuning on family A may not transfer.
  const kwBest = (t: Record<string, SearchMetrics>, m: 'recall' | 'mrr'): number => Math.max(t[METHODS.keyword]![m], t[METHODS.untuned]![m]);
  const ratio = (c: RelevanceCount, m: 'recall' | 'mrr'): number => independent[c][METHODS.hybrid]![m] / Math.max(1e-9, kwBest(independent[c], m));
  let worst = { family: '', metric: '', delta: Infinity };
  for (const f of familyNames) {
    for (const c of ['all', 'held-out'] as const) {
      const h = families[f]![c][METHODS.hybrid]!;
      if (h.queries === 0) continue;
      for (const metric of ['recall', 'mrr'] as const) {
        const delta = h[metric] - kwBest(families[f]![c], metric);
        if (delta < worst.delta) worst = { family: `${f} (${c})`, metric, delta };
      }
    }
  }
  const ratios = { all: { recall: ratio('all', 'recall'), mrr: ratio('all', 'mrr') }, 'held-out': { recall: ratio('held-out', 'recall'), mrr: ratio('held-out', 'mrr') } };
  const met = Object.values(ratios).every((r) => r.recall >= 1.1 && r.mrr >= 1.1) && worst.delta >= -0.02;
  return {
    k, depth: hybrid.depth, items: texts.length, splits, examples, independent, families,
    targets: { ratios, worstFamily: worst, met },
    settings: { keyword: keywordSettings, hybrid },
    encoder: { options, vocab, dim, fitSeconds },
  };
}
