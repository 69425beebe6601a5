/** The search eval report as markdown: the independent set, then every family, both relevance counts. */
import { METHODS, type RelevanceCount, type SearchEvalReport } from './search.ts';

const f = (x: number): string => x.toFixed(3);

/** The report's tables and the target verdict. */
export function searchMarkdown(r: SearchEvalReport): string {
  const names = Object.values(METHODS);
  const q = (fam: string): number => r.splits.reduce((n, s) => n + (s.queries[fam] ?? 0), 0);
  const ind = r.independent;
  const perFamily = (c: RelevanceCount): string[] => [
    `| family (${c === 'all' ? 'relevant: every grade-2 item' : 'relevant: held-out grade-2 items'}) | queries | ${names.map((n) => `${n} R@${r.k} / MRR`).join(' | ')} |`,
    `|---|---:|${names.map(() => '---').join('|')}|`,
    ...Object.entries(r.families).map(([fam, t]) => `| ${fam} | ${t[c][METHODS.keyword]!.queries} | ${names.map((n) => `${f(t[c][n]!.recall)} / ${f(t[c][n]!.mrr)}`).join(' | ')} |`),
  ];
  const t = r.targets;
  return [
    `Search: ${r.splits.length} splits (seeds ${r.splits.map((s) => s.seed).join(', ')}; each holds ~10% of the ${r.items} items out of encoder training: ${r.splits.map((s) => s.heldOutItems).join(' / ')} items); per split ${Math.round(q('A') / r.splits.length)} family A, ${Math.round(q('B') / r.splits.length)} family B and ${Math.round(q('fixture') / r.splits.length)} hand-written queries, ranked over the whole catalogue (MRR counts the first ${r.depth}).`,
    `Examples: A ${(r.examples['A'] ?? []).slice(0, 3).map((x) => `“${x}”`).join(', ')}; B ${(r.examples['B'] ?? []).slice(0, 3).map((x) => `“${x}”`).join(', ')}; hand-written ${(r.examples['fixture'] ?? []).slice(0, 3).map((x) => `“${x}”`).join(', ')}.`,
    '',
    `Independent set (family B + hand-written queries, graded fact relevance):`,
    '',
    `| method | Recall@${r.k} | MRR | NDCG@${r.k} | Recall@${r.k} held-out | MRR held-out |`,
    '|---|---:|---:|---:|---:|---:|',
    ...names.map((n) => `| ${n} | ${f(ind.all[n]!.recall)} | ${f(ind.all[n]!.mrr)} | ${f(ind.all[n]!.ndcg)} | ${f(ind['held-out'][n]!.recall)} | ${f(ind['held-out'][n]!.mrr)} |`),
    '',
    ...perFamily('all'),
    '',
    ...perFamily('held-out'),
    '',
    `Hybrid vs the stronger keyword library row: Recall@${r.k} ${f(t.ratios.all.recall)}×, MRR ${f(t.ratios.all.mrr)}× (held-out: ${f(t.ratios['held-out'].recall)}×, ${f(t.ratios['held-out'].mrr)}×); worst family ${t.worstFamily.family} ${t.worstFamily.metric} ${t.worstFamily.delta >= 0 ? '+' : ''}${f(t.worstFamily.delta)} — target (≥ 1.1× on both counts, no family worse by more than 0.02) ${t.met ? 'met' : 'NOT met'}.`,
    `Encoder: ${r.encoder.vocab} WordPiece tokens × ${r.encoder.dim} dims, ${(r.encoder.fitSeconds / r.splits.length).toFixed(1)} s per fit. Keyword settings: ${JSON.stringify(r.settings.keyword)}; fusion: ${JSON.stringify(r.settings.hybrid)}.`,
  ].join('\n');
}
