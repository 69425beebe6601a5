/**
 * Experiment assignment: even (chi-square over 100,000 ids), sticky (the stored id), forced by the
 * QA URL parameter, holdout share, and nothing stored without consent. Pure logic in Node.
 */
import { describe, expect, it } from 'vitest';
import { InpageError } from '../../src/errors.ts';
import { assignVariant, bucket, createExperimentSession, parseExperiment, pickByWeight, randomId, VISITOR_ID_KEY } from '../../src/experiments/index.ts';
import type { ConsentGate } from '../../src/privacy/gate.ts';
import { resolveRetention } from '../../src/privacy/retention.ts';
import { Prng } from '../../tools/onnx/prng.ts';
import { MapStorage } from './helpers/map-storage.ts';

/** Chi-square statistic of observed counts against expected shares. */
function chiSquare(observed: readonly number[], shares: readonly number[]): number {
  const n = observed.reduce((a, b) => a + b, 0);
  return observed.reduce((acc, o, i) => acc + (o - n * shares[i]!) ** 2 / (n * shares[i]!), 0);
}

const gate = (granted: { value: boolean }): ConsentGate => ({ granted: () => granted.value });

/** 32-hex-digit ids from a seeded PRNG: the shape of randomId(), reproducible. */
function seededIds(n: number, seed: number): string[] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, () => Array.from({ length: 4 }, () => rng.nextUint32().toString(16).padStart(8, '0')).join(''));
}

const EXP = parseExperiment({ id: 'reco-2026-12', holdout: 0.1, variants: [{ name: 'control', control: true, list: 'trending' }, { name: 'B' }, { name: 'C', weight: 2 }] });

describe('assignment', () => {
  // Critical values of chi-square at p = 0.001: df 3 → 16.27, df 99 → 148.23.
  it('is uniform over 100 buckets for 100,000 random ids and for 100,000 sequential ids', () => {
    for (const ids of [seededIds(100_000, 7), Array.from({ length: 100_000 }, (_, i) => `visitor-${i}`)]) {
      const counts = new Array<number>(100).fill(0);
      for (const id of ids) counts[Math.floor(bucket('reco-2026-12', id) * 100)]!++;
      expect(chiSquare(counts, new Array(100).fill(0.01))).toBeLessThan(148.23);
    }
  });

  it('splits 100,000 ids by the weights and the holdout (chi-square, df 3)', () => {
    const names = ['holdout', 'control', 'B', 'C'];
    const counts = [0, 0, 0, 0];
    for (const id of seededIds(100_000, 11)) counts[names.indexOf(assignVariant(EXP, id, undefined).variant)]!++;
    // holdout 10 %, then 1:1:2 of the remaining 90 %.
    expect(chiSquare(counts, [0.1, 0.225, 0.225, 0.45])).toBeLessThan(16.27);
  });

  it('fails a hash that is not uniform (the test can fail)', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 100_000; i++) counts[i % 7 === 0 ? 0 : 1 + (i % 3)]!++;
    expect(chiSquare(counts, [0.1, 0.225, 0.225, 0.45])).toBeGreaterThan(16.27);
  });

  it('reshuffles between experiments (assignments in two experiments are independent)', () => {
    const other = parseExperiment({ id: 'reco-2027-01', variants: [{ name: 'A' }, { name: 'B' }] });
    const mine = parseExperiment({ id: 'reco-2026-12', variants: [{ name: 'A' }, { name: 'B' }] });
    const table = [0, 0, 0, 0];
    for (const id of seededIds(40_000, 3)) table[(assignVariant(mine, id, undefined).variant === 'A' ? 0 : 2) + (assignVariant(other, id, undefined).variant === 'A' ? 0 : 1)]!++;
    expect(chiSquare(table, [0.25, 0.25, 0.25, 0.25])).toBeLessThan(16.27);
  });

  it('picks by cumulative weight', () => {
    expect([0, 0.24, 0.26, 0.49, 0.5, 0.99].map((u) => pickByWeight([1, 1, 2], u))).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('holdout visitors get the control list, reported as holdout', () => {
    const id = seededIds(1000, 5).find((x) => bucket(EXP.id, x) < 0.1)!;
    expect(assignVariant(EXP, id, undefined)).toMatchObject({ variant: 'holdout', list: 'trending', assignment: 'holdout' });
  });

  it('a QA URL forces a variant, by name or by experiment:name; other experiments and unknown names are ignored', () => {
    const id = seededIds(1, 9)[0]!;
    expect(assignVariant(EXP, id, 'https://shop.example/p?inpage-variant=B')).toMatchObject({ variant: 'B', assignment: 'forced' });
    expect(assignVariant(EXP, undefined, 'https://shop.example/?inpage-variant=reco-2026-12:C')).toMatchObject({ variant: 'C', assignment: 'forced' });
    expect(assignVariant(EXP, id, 'https://shop.example/?inpage-variant=other:C').assignment).toBe('random');
    expect(assignVariant(EXP, id, 'https://shop.example/?inpage-variant=Z').assignment).toBe('random');
  });

  it('without consent: the control, and no id', () => {
    expect(assignVariant(EXP, undefined, 'https://shop.example/')).toMatchObject({ variant: 'control', list: 'trending', assignment: 'no-consent' });
  });
});

describe('the visitor id', () => {
  const retention = resolveRetention();
  it('is random (crypto), 32 hex digits, and differs per call', () => {
    const a = randomId();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(randomId()).not.toBe(a);
  });

  it('is sticky across sessions on one storage (a reload), and new on another device', () => {
    const storage = new MapStorage();
    const consent = gate({ value: true });
    const t = { now: 1_700_000_000_000 };
    const first = createExperimentSession({ config: { id: 'e', variants: [{ name: 'A' }, { name: 'B' }, { name: 'C' }] }, storage, consent, retention, now: () => t.now, url: () => undefined });
    const variant = first.assign().variant;
    const id = JSON.parse(storage.getItem(VISITOR_ID_KEY)!).id as string;
    for (let reload = 0; reload < 20; reload++) {
      t.now += 3_600_000 * 5;
      const again = createExperimentSession({ config: { id: 'e', variants: [{ name: 'A' }, { name: 'B' }, { name: 'C' }] }, storage, consent, retention, now: () => t.now, url: () => undefined });
      expect(again.assign().variant).toBe(variant);
    }
    expect(JSON.parse(storage.getItem(VISITOR_ID_KEY)!).id).toBe(id);
  });

  it('expires after the retention window without use (sliding), and is erased with the record', () => {
    const storage = new MapStorage();
    const t = { now: 1_700_000_000_000 };
    const s = createExperimentSession({ config: { id: 'e', variants: [{ name: 'A' }, { name: 'B' }] }, storage, consent: gate({ value: true }), retention, now: () => t.now, url: () => undefined });
    s.assign();
    const id = JSON.parse(storage.getItem(VISITOR_ID_KEY)!).id as string;
    t.now += 29 * 86_400_000;
    s.assign();
    expect(JSON.parse(storage.getItem(VISITOR_ID_KEY)!).id).toBe(id); // used within 30 days: kept, stamp moved
    t.now += 31 * 86_400_000;
    s.assign();
    expect(JSON.parse(storage.getItem(VISITOR_ID_KEY)!).id).not.toBe(id);
  });

  it('without consent nothing is read or written; the control is shown', () => {
    const storage = new MapStorage();
    storage.setItem(VISITOR_ID_KEY, JSON.stringify({ v: 1, id: 'a'.repeat(32), t: 1 }));
    const before = [...storage.map];
    const consent = { value: false };
    const s = createExperimentSession({ config: { id: 'e', variants: [{ name: 'A' }, { name: 'B', control: true }] }, storage, consent: gate(consent), retention, now: () => 2, url: () => undefined });
    expect(s.assign()).toMatchObject({ variant: 'B', assignment: 'no-consent' });
    expect([...storage.map]).toEqual(before);
    consent.value = true;
    expect(s.assign().assignment).toBe('random');
  });
});

describe('config validation', () => {
  const bad = (config: unknown, field: string): void => {
    try {
      parseExperiment(config);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InpageError);
      expect((e as InpageError).code).toBe('OPTION_INVALID');
      expect((e as InpageError).details).toMatchObject({ field });
    }
  };
  it('names the bad field', () => {
    bad(null, '(root)');
    bad({ id: '', variants: [] }, 'id');
    bad({ id: 'e', variants: [{ name: 'A' }] }, 'variants');
    bad({ id: 'e', variants: [{ name: 'A' }, { name: 'A' }] }, 'variants[1].name');
    bad({ id: 'e', variants: [{ name: 'A', weight: 0 }, { name: 'B' }] }, 'variants[0].weight');
    bad({ id: 'e', variants: [{ name: 'A', list: 'all' }, { name: 'B' }] }, 'variants[0].list');
    bad({ id: 'e', variants: [{ name: 'A', control: true }, { name: 'B', control: true }] }, 'variants');
    bad({ id: 'e', holdout: 1, variants: [{ name: 'A' }, { name: 'B' }] }, 'holdout');
    bad({ id: 'e', variants: [{ name: 'holdout' }, { name: 'B' }] }, 'variants[0].name');
  });
  it('a variant may name its own model package; the assignment carries it, holdout gets the control\'s', () => {
    bad({ id: 'e', variants: [{ name: 'A' }, { name: 'B', manifest: 'javascript:alert(1)' }] }, 'variants[1].manifest');
    bad({ id: 'e', variants: [{ name: 'A' }, { name: 'B', manifest: '' }] }, 'variants[1].manifest');
    bad({ id: 'e', variants: [{ name: 'A' }, { name: 'B', manifest: 5 }] }, 'variants[1].manifest');
    bad({ id: 'e', variants: [{ name: 'A', list: 'none', manifest: 'a/manifest.json' }, { name: 'B' }] }, 'variants[0].manifest');
    const exp = parseExperiment({ id: 'e', holdout: 0.5, variants: [{ name: 'A', manifest: '../v1/manifest.json' }, { name: 'B', manifest: 'https://cdn.example/v2/manifest.json' }] });
    expect(assignVariant(exp, undefined, 'https://shop.example/?inpage-variant=B')).toMatchObject({ variant: 'B', manifest: 'https://cdn.example/v2/manifest.json' });
    expect(assignVariant(exp, undefined, undefined)).toMatchObject({ variant: 'A', assignment: 'no-consent', manifest: '../v1/manifest.json' });
    const held = seededIds(200, 9).map((id) => assignVariant(exp, id, undefined)).find((a) => a.assignment === 'holdout')!;
    expect(held).toMatchObject({ variant: 'holdout', manifest: '../v1/manifest.json' });
    expect(assignVariant(parseExperiment({ id: 'e', variants: [{ name: 'A' }, { name: 'B' }] }), undefined, undefined)).not.toHaveProperty('manifest');
  });
  it('the first variant is the control unless one is marked', () => {
    expect(parseExperiment({ id: 'e', variants: [{ name: 'A' }, { name: 'B' }] }).control).toBe(0);
    expect(parseExperiment({ id: 'e', variants: [{ name: 'A' }, { name: 'B', control: true }] }).control).toBe(1);
  });
});
