/**
 * Per-variant KPIs of one experiment from an export, compared with the control.
 *
 * Unit of analysis: the visitor (the unit of randomisation), counted from their exposure (served a
 * list, seen or not; older exports without exposures: from their first event), so conversion and revenue per
 * visitor are independent across visitors and the z-tests hold. A visitor belongs to the first
 * variant their events name (assignment is sticky; visitors seen in two variants are counted in
 * the first and reported). CTR is per impression and shown without a test: impressions of one
 * visitor are not independent.
 *
 * A cart or purchase counts when its event carries the experiment (Inpage attaches it only to
 * conversions it attributed to a list). Purchases are counted once per transaction id.
 */
import type { ExportEvent, ParsedExport } from './read-export.ts';
import { compareMeans, meanInterval, moments, rateMoments, sampleSizePerArm, wilson, type Comparison, type Interval } from './stats.ts';

/** KPIs of one arm. */
export interface ArmReport {
  variant: string;
  visitors: number;
  impressions: number;
  clicks: number;
  ctr: Interval;
  /** Share of visitors with an attributed add-to-cart. */
  cartRate: Interval;
  /** Share of visitors with an attributed purchase. */
  conversion: Interval;
  purchases: number;
  revenue: number;
  revenuePerVisitor: Interval;
  /** Against the control (absent for the control itself). */
  vsControl?: { conversion: Comparison; revenuePerVisitor: Comparison; neededPerArm: number; stillNeeded: number };
}

/** The whole report. */
export interface ExperimentReport {
  experiment: string;
  control: string;
  simulated: boolean;
  currency: string | undefined;
  from: number;
  to: number;
  arms: ArmReport[];
  /** Visitors whose events named more than one variant. */
  mixedVisitors: number;
  /** Relative effect on conversion used for the sample size. */
  mde: number;
  otherExperiments: string[];
}

/** Options of {@link analyse}. */
export interface AnalyseOptions {
  experiment?: string;
  /** The control variant. Default 'control' when present, else the first variant by name. */
  control?: string;
  /** Smallest relative change in conversion worth detecting. Default 0.1 (10 %). */
  mde?: number;
}

interface VisitorTally { impressions: number; clicks: number; cart: boolean; transactions: Set<string>; revenue: number }

/** Builds the report (throws with a sentence when the export holds no such experiment). */
export function analyse(parsed: ParsedExport, options: AnalyseOptions = {}): ExperimentReport {
  const counts = new Map<string, number>();
  for (const e of parsed.events) if (e.experiment !== undefined) counts.set(e.experiment, (counts.get(e.experiment) ?? 0) + 1);
  const experiment = options.experiment ?? [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (experiment === undefined || !counts.has(experiment)) {
    throw new Error(`the export has no events of experiment ${JSON.stringify(experiment ?? '(any)')}; experiments found: ${[...counts.keys()].join(', ') || 'none (are inpage_experiment / inpage_variant exported?)'}.`);
  }
  const events = parsed.events.filter((e) => e.experiment === experiment && e.variant !== undefined).sort((a, b) => a.time - b.time);
  const variantOf = new Map<string, string>();
  const mixed = new Set<string>();
  const tallies = new Map<string, VisitorTally>();
  let currency: string | undefined;
  for (const e of events) {
    const v = variantOf.get(e.visitor);
    if (v === undefined) variantOf.set(e.visitor, e.variant!);
    else if (v !== e.variant) { mixed.add(e.visitor); continue; }
    let t = tallies.get(e.visitor);
    if (t === undefined) { t = { impressions: 0, clicks: 0, cart: false, transactions: new Set(), revenue: 0 }; tallies.set(e.visitor, t); }
    tally(t, e);
    currency ??= e.currency;
  }
  const names = [...new Set(variantOf.values())].sort();
  const control = options.control ?? (names.includes('control') ? 'control' : names.filter((n) => n !== 'holdout')[0] ?? names[0]!);
  if (!names.includes(control)) throw new Error(`control variant ${JSON.stringify(control)} has no visitors in the export; variants: ${names.join(', ')}.`);
  const mde = options.mde ?? 0.1;
  const arm = (variant: string): { report: ArmReport; conv: ReturnType<typeof rateMoments>; rpv: ReturnType<typeof moments> } => {
    const ts = [...tallies].filter(([id]) => variantOf.get(id) === variant).map(([, t]) => t);
    const n = ts.length;
    const impressions = ts.reduce((a, t) => a + t.impressions, 0);
    const clicks = ts.reduce((a, t) => a + t.clicks, 0);
    const converted = ts.filter((t) => t.transactions.size > 0).length;
    const rpv = moments(ts.map((t) => t.revenue));
    return {
      conv: rateMoments(converted, n), rpv,
      report: {
        variant, visitors: n, impressions, clicks, ctr: wilson(clicks, impressions),
        cartRate: wilson(ts.filter((t) => t.cart).length, n), conversion: wilson(converted, n),
        purchases: ts.reduce((a, t) => a + t.transactions.size, 0), revenue: ts.reduce((a, t) => a + t.revenue, 0), revenuePerVisitor: meanInterval(rpv),
      },
    };
  };
  const c = arm(control);
  const arms = [c.report, ...names.filter((n) => n !== control).map((name) => {
    const a = arm(name);
    const neededPerArm = sampleSizePerArm(c.conv.mean, mde);
    a.report.vsControl = {
      conversion: compareMeans(c.conv, a.conv), revenuePerVisitor: compareMeans(c.rpv, a.rpv), neededPerArm,
      stillNeeded: Number.isFinite(neededPerArm) ? Math.max(0, neededPerArm - Math.min(c.conv.n, a.conv.n)) : Infinity,
    };
    return a.report;
  })];
  return {
    experiment, control, simulated: parsed.simulated, currency, mde,
    from: events[0]?.time ?? NaN, to: events[events.length - 1]?.time ?? NaN,
    arms, mixedVisitors: mixed.size, otherExperiments: [...counts.keys()].filter((x) => x !== experiment),
  };
}

function tally(t: VisitorTally, e: ExportEvent): void {
  if (e.event === 'inpage_exposure') return; // counts the visitor, nothing else
  if (e.event === 'view_item_list') t.impressions += Math.max(1, e.items.length);
  else if (e.event === 'select_item') t.clicks++;
  else if (e.event === 'add_to_cart') t.cart = true;
  else {
    const id = e.transactionId ?? `${e.time}`;
    if (t.transactions.has(id)) return; // CSV: one row per item, the value repeats
    t.transactions.add(id);
    t.revenue += e.value ?? 0;
  }
}
