/**
 * The statistics of `inpage report` against hand-computed values, and the report end to end on a
 * small export in both formats.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../../tools/report/analyse.ts';
import { exportTime, parseCsv, parseJsonl } from '../../tools/report/read-export.ts';
import { renderHtml } from '../../tools/report/render-html.ts';
import { renderText } from '../../tools/report/render-text.ts';
import { compareMeans, meanInterval, moments, msprtP, normalCdf, normalQuantile, rateMoments, sampleSizePerArm, wilson } from '../../tools/report/stats.ts';

describe('formulas', () => {
  it('normal distribution (tables: Φ(1.96) = 0.9750021, Φ(−1) = 0.15866, z₀.₉₇₅ = 1.959964, z₀.₈ = 0.841621)', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
  });

  it('Wilson interval of 50/1000 by hand: (0.05 + 1.9208/1000 ± 1.96·√(0.0000475 + 0.00000096))/1.00384', () => {
    // centre 0.0519208/1.0038415 = 0.051722; half 1.959964/1.0038415·√(4.75e-5 + 9.604e-7) = 0.013592
    const w = wilson(50, 1000);
    expect(w.low).toBeCloseTo(0.03813, 4);
    expect(w.high).toBeCloseTo(0.06531, 4);
  });

  it('two-proportion z-test by hand: 100/2000 vs 130/2000', () => {
    // se = √(0.05·0.95/1999 + 0.065·0.935/1999) = 0.0073597; z = 0.015/0.0073597 = 2.0381; p = 0.04154
    const c = compareMeans(rateMoments(100, 2000), rateMoments(130, 2000));
    expect(c.difference.estimate).toBeCloseTo(0.015, 10);
    expect(c.p).toBeCloseTo(0.04154, 4);
    expect(c.difference.low).toBeCloseTo(0.015 - 1.959964 * 0.0073597, 5);
    expect(c.uplift.estimate).toBeCloseTo(0.3, 10);
    // log-ratio: se = √(0.95/(1999·0.05) + 0.935/(1999·0.065)) = √0.0167007 = 0.129231 → 1.3·e^(±1.96·0.12393) − 1
    expect(c.uplift.low).toBeCloseTo(1.3 * Math.exp(-1.959964 * 0.129231) - 1, 5);
    expect(c.uplift.high).toBeCloseTo(1.3 * Math.exp(1.959964 * 0.129231) - 1, 5);
  });

  it('mean interval and Welch comparison by hand', () => {
    const a = moments([0, 0, 10, 20]); // mean 7.5, s² = (56.25+56.25+6.25+156.25)/3 = 91.667
    expect(a.mean).toBe(7.5);
    expect(a.variance).toBeCloseTo(91.6667, 3);
    expect(meanInterval(a).high).toBeCloseTo(7.5 + 1.959964 * Math.sqrt(91.6667 / 4), 3);
    const b = moments([10, 10, 20, 20]); // mean 15, s² = 33.333
    const c = compareMeans(a, b);
    expect(c.p).toBeCloseTo(2 * (1 - normalCdf(7.5 / Math.sqrt(91.6667 / 4 + 33.3333 / 4))), 6);
  });

  it('sample size per arm by hand: 5 % → 5.5 % at α 0.05, power 0.8 = 31,234', () => {
    // (1.959964·√(2·0.0525·0.9475) + 0.841621·√(0.0475 + 0.051975))² / 0.0005² = 31233.6
    expect(sampleSizePerArm(0.05, 0.1)).toBe(31234);
    expect(sampleSizePerArm(0, 0.1)).toBe(Infinity);
  });

  it('always-valid p: Λ by hand, larger than the fixed-horizon p, falls with more evidence', () => {
    // V = 1e-4, τ² = 1e-4, diff = 0.03: Λ = √0.5 · exp(1e-4·9e-4/(2·1e-4·2e-4)) = 0.707107·9.487736 = 6.70879
    expect(msprtP(0.03, 1e-4, 1e-4)).toBeCloseTo(1 / 6.70879, 5);
    const small = compareMeans(rateMoments(100, 2000), rateMoments(130, 2000));
    const big = compareMeans(rateMoments(1000, 20000), rateMoments(1300, 20000));
    expect(small.pAlwaysValid).toBeGreaterThan(small.p);
    expect(big.pAlwaysValid).toBeLessThan(0.05);
  });
});

describe('report', () => {
  const day = Date.parse('2026-11-02T10:00:00Z');
  const line = (o: object): string => JSON.stringify(o);
  const view = (visitor: string, variant: string, t: number, items: string[]) => line({ visitor, time: t, event: 'view_item_list', inpage_experiment: 'e1', inpage_variant: variant, ecommerce: { item_list_id: 'home', items: items.map((item_id) => ({ item_id })) } });
  const buy = (visitor: string, variant: string, t: number, value: number, tx: string) => line({ visitor, time: t, event: 'purchase', inpage_experiment: 'e1', inpage_variant: variant, ecommerce: { transaction_id: tx, value, currency: 'EUR', items: [{ item_id: 'a', item_list_id: 'home' }] } });

  it('counts visitors, conversions and revenue per arm from a JSONL log', () => {
    const text = [
      line({ meta: { simulated: true } }),
      view('v1', 'control', day, ['a', 'b']), buy('v1', 'control', day + 1, 50, 'T1'),
      view('v2', 'control', day, ['a']),
      view('v3', 'B', day, ['a', 'b', 'c']), buy('v3', 'B', day + 1, 30, 'T2'), buy('v3', 'B', day + 2, 30, 'T3'),
      view('v4', 'B', day, ['a']), buy('v4', 'B', day + 1, 40, 'T4'),
      view('v4', 'control', day + 5, ['a']), // mixed: left out
      line({ event: 'page_view', visitor: 'v1', time: day }),
      line({ event: 'inpage_exposure', visitor: 'v5', time: day, inpage_experiment: 'e1', inpage_variant: 'B', inpage_list_id: 'home' }), // served, never saw a card
    ].join('\n');
    const r = analyse(parseJsonl(text));
    expect(r.simulated).toBe(true);
    expect(r.control).toBe('control');
    expect(r.mixedVisitors).toBe(1);
    const [c, b] = r.arms;
    expect([c!.visitors, c!.impressions, c!.conversion.estimate, c!.revenue, c!.revenuePerVisitor.estimate]).toEqual([2, 3, 0.5, 50, 25]);
    // v5 was only exposed: counted (intent to treat), so 2 of 3 converted.
    expect([b!.visitors, b!.impressions, b!.purchases, b!.conversion.estimate, b!.revenue, b!.revenuePerVisitor.estimate]).toEqual([3, 4, 3, 2 / 3, 100, 100 / 3]);
    expect(b!.vsControl!.conversion.uplift.estimate).toBeCloseTo(1 / 3, 10);
    const text2 = renderText(r);
    expect(text2).toContain('SIMULATED DATA');
    expect(text2).toContain('peeking');
    expect(renderHtml(r, text2)).toMatch(/<svg[^>]*role="img"/);
  });

  it('reads GA4/BigQuery CSV rows (µs timestamps, one row per item, purchase value once per transaction)', () => {
    const us = day * 1000;
    const csv = [
      'event_timestamp,event_name,user_pseudo_id,inpage_experiment,inpage_variant,item_list_id,item_id,price,quantity,value,currency,transaction_id',
      `${us},view_item_list,u1,e1,control,home,a,10,1,,,`,
      `${us},view_item_list,u1,e1,control,home,b,20,1,,,`,
      `${us + 5},purchase,u1,e1,control,home,a,10,1,30,EUR,T1`,
      `${us + 5},purchase,u1,e1,control,home,b,20,1,30,EUR,T1`,
      `${us},view_item_list,u2,e1,B,home,a,10,1,,,`,
    ].join('\n');
    const r = analyse(parseCsv(csv));
    expect(r.arms.map((a) => [a.variant, a.visitors, a.impressions, a.purchases, a.revenue])).toEqual([['control', 1, 2, 1, 30], ['B', 1, 1, 0, 0]]);
    expect(exportTime(String(us))).toBe(day);
    expect(() => parseCsv('a,b\n1,2')).toThrow(/event_timestamp/);
  });
});
