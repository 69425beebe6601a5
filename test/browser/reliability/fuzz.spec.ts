/**
 * Browser fuzzing, seeded with fixed iteration counts; every call bounded by a timeout.
 *  - Feeds: random names, type strings, dims (negative, fractional, NaN, BigInt, huge products),
 *    typed-array classes, lengths, NaN/±Infinity, oversized inputs, out-of-range ids, against
 *    three models on a strict engine (rejectNonFinite, maxInputElements) and a default one.
 *    Outcome: a correct result (checked against the Node reference where the feeds are valid) or
 *    a typed InpageError — never another error, never a hang; the same worker answers afterwards.
 *  - Model bytes: random bytes, real models truncated at random points, real models with 1–8
 *    flipped bits. Outcome: a typed InpageError, or a model that loads and then runs or fails
 *    typed; never a hang; the engine loads and runs mlp correctly at the end.
 * Cases are generated in Node (so the references can be computed there) and described to the
 * page as plain data.
 */
import { test, expect, plain, expectClose } from '../fixtures.ts';
import { getTestModel, type TestModel, type TestTensors } from '../../../tools/models/index.ts';
import type { PlainTensor } from '../plain.ts';
import { prng, report } from './helpers.ts';

const FEED_CASES = 400;
const BYTE_CASES = 120;
const MODELS = ['mlp', 'multi-io', 'embed-topk'] as const;
const ARRAYS = ['Float32Array', 'Float64Array', 'Uint16Array', 'Int32Array', 'BigInt64Array', 'Uint8Array', 'Int8Array', 'Int16Array', 'Uint32Array', 'plain'] as const;
const RIGHT: Record<string, (typeof ARRAYS)[number]> = {
  float32: 'Float32Array', float16: 'Uint16Array', int32: 'Int32Array', int64: 'BigInt64Array', uint8: 'Uint8Array', int8: 'Int8Array', bool: 'Uint8Array',
};
const TYPE_STRINGS = ['float32', 'float16', 'int32', 'int64', 'uint8', 'int8', 'bool', 'float64', 'string', '', 'constructor', 'toString', '__proto__'];

/** A dim as plain data: numbers (incl. NaN/±Infinity via strings), BigInt, junk. */
type DimDesc = number | { num: 'NaN' | 'Infinity' | '-Infinity' } | { bigint: string } | string | null;
/** A tensor (or a non-tensor value) described as plain data for the page to build. */
type ValueDesc =
  | { kind: 'tensor'; type: string | number | null; dims: DimDesc[] | 'notArray'; array: (typeof ARRAYS)[number]; length: number; given?: (number | string)[]; poison?: 'NaN' | 'Infinity' | '-Infinity' | 'f16NaN' | 'f16Inf' }
  | { kind: 'value'; value: 'null' | 'undefined' | 'number' | 'string' | 'array' | 'emptyObject' };
interface FeedCase {
  model: (typeof MODELS)[number];
  strict: boolean;
  feeds: Record<string, ValueDesc> | { top: 'null' | 'array' | 'number' | 'string' };
  /** Set when the feeds were left valid: the reference outputs. */
  expected?: Record<string, PlainTensor>;
  mutations: string[];
}

function describeTensors(ts: TestTensors): Record<string, ValueDesc> {
  const p = plain(ts);
  return Object.fromEntries(Object.entries(p).map(([k, t]) => [k, { kind: 'tensor', type: t.type, dims: t.dims, array: RIGHT[t.type]!, length: t.data.length, given: t.data }]));
}

function feedCases(seed: number): FeedCase[] {
  const rnd = prng(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const cases: FeedCase[] = [];
  for (let i = 0; i < FEED_CASES; i++) {
    const model = pick(MODELS);
    const m: TestModel = getTestModel(model);
    const strict = rnd() < 0.5;
    const inputs = m.inputs(1 + int(3), 9000 + i);
    if (rnd() < 0.05) { cases.push({ model, strict, feeds: { top: pick(['null', 'array', 'number', 'string'] as const) }, mutations: ['top-level'] }); continue; }
    const feeds = describeTensors(inputs);
    const mutations: string[] = [];
    const n = rnd() < 0.25 ? 0 : 1 + int(2);
    for (let k = 0; k < n; k++) {
      const names = Object.keys(feeds);
      if (names.length === 0) break;
      const name = pick(names);
      const t = feeds[name]!;
      if (t.kind !== 'tensor') continue;
      const what = int(13);
      if (what === 0) { delete feeds[name]; mutations.push(`drop ${name}`); }
      else if (what === 1) { feeds[pick(['extra', 'X', '', 'constructor', `${name}_`])] = { ...t }; mutations.push('extra input'); }
      else if (what === 2) { t.type = pick([...TYPE_STRINGS, 7, null]); mutations.push(`type ${String(t.type)}`); }
      else if (what === 3) { t.array = pick(ARRAYS); mutations.push(`array ${t.array}`); }
      else if (what === 4 && Array.isArray(t.dims)) {
        const d = pick<DimDesc>([-1, -64, 0.5, { num: 'NaN' }, { num: 'Infinity' }, 2 ** 31, 2 ** 53, { bigint: '1' }, '1', null]);
        t.dims[int(t.dims.length)] = d; mutations.push(`dim ${JSON.stringify(d)}`);
      } else if (what === 5) { t.dims = [2 ** 20, 2 ** 20, 2 ** 20]; mutations.push('huge dims product'); }
      else if (what === 6 && Array.isArray(t.dims)) { t.dims = rnd() < 0.5 ? [...t.dims, 1] : t.dims.slice(1); mutations.push('rank'); }
      else if (what === 7) { t.length += pick([-1, 1, 64]); delete t.given; mutations.push('length'); }
      else if (what === 8 && (t.type === 'float32' || t.type === 'float16')) {
        t.poison = t.type === 'float16' ? pick(['f16NaN', 'f16Inf'] as const) : pick(['NaN', 'Infinity', '-Infinity'] as const); mutations.push(`poison ${t.poison}`);
      } else if (what === 9) { t.dims = 'notArray'; mutations.push('dims not an array'); }
      else if (what === 10) { feeds[name] = { kind: 'value', value: pick(['null', 'undefined', 'number', 'string', 'array', 'emptyObject'] as const) }; mutations.push('not a tensor'); }
      else if (what === 11 && model === 'mlp') {
        // Valid shape, big: 20,000 rows = 1.28 M elements (over the strict engine's cap of 1 M).
        feeds[name] = { kind: 'tensor', type: 'float32', dims: [20_000, 64], array: 'Float32Array', length: 20_000 * 64 }; mutations.push('20k rows');
      } else if (what === 12 && model === 'embed-topk' && t.given) {
        t.given = t.given.map((v, j) => (j === 0 ? String(10 ** 6) : v)); mutations.push('id out of range');
      }
    }
    const c: FeedCase = { model, strict, feeds, mutations };
    if (mutations.length === 0) c.expected = plain(m.reference(inputs));
    cases.push(c);
  }
  return cases;
}

test(`fuzz feeds: ${FEED_CASES} seeded cases give a correct result or a typed error, never a hang; the worker stays healthy`, async ({ openHarness, page }, info) => {
  test.setTimeout(300_000);
  await openHarness();
  const cases = feedCases(0xf00d);
  const mlp = getTestModel('mlp');
  const final = plain(mlp.inputs(2, 77));
  const r = await page.evaluate(async ({ cases, final }) => {
    const { harness, inpage } = window;
    const g = globalThis as unknown as Record<string, new (n: number) => ArrayLike<number | bigint> & { [i: number]: number | bigint }>;
    const opts = { timeoutMs: 10_000, testHooks: true };
    const strict = await inpage.createEngine({ ...opts, rejectNonFinite: true, maxInputElements: 1_000_000 });
    const loose = await inpage.createEngine(opts);
    const models: Record<string, Record<string, Awaited<ReturnType<typeof strict.load>>>> = { strict: {}, loose: {} };
    for (const [k, e] of [['strict', strict], ['loose', loose]] as const) {
      // Setup loads get a generous bound of their own (SwiftShader measurement on a busy machine).
      for (const n of ['mlp', 'multi-io', 'embed-topk']) models[k]![n] = await e.load({ url: `models/${n}.onnx` }, { timeoutMs: 90_000 });
    }
    const ids = [strict.testHooks!.workerId(), loose.testHooks!.workerId()];
    const dim = (d: unknown): unknown => {
      if (d !== null && typeof d === 'object' && 'num' in d) return Number((d as { num: string }).num);
      if (d !== null && typeof d === 'object' && 'bigint' in d) return BigInt((d as { bigint: string }).bigint);
      return d;
    };
    const build = (v: Record<string, unknown>): unknown => {
      if (v['kind'] === 'value') return ({ null: null, undefined, number: 42, string: 'x', array: [1, 2], emptyObject: {} } as Record<string, unknown>)[v['value'] as string];
      const array = v['array'] as string;
      const length = v['length'] as number;
      let data: unknown;
      if (array === 'plain') data = Array.from({ length }, (_, i) => i % 3);
      else {
        const a = new g[array]!(length);
        const big = array === 'BigInt64Array';
        const given = v['given'] as (number | string)[] | undefined;
        for (let i = 0; i < length; i++) {
          const x = given?.[i] ?? (i % 5);
          const num = Number(x);
          a[i] = big ? (Number.isFinite(num) ? BigInt(Math.trunc(num)) : 0n) : num;
        }
        const poison = v['poison'] as string | undefined;
        if (poison && length > 0) a[length - 1] = ({ NaN, Infinity, '-Infinity': -Infinity, f16NaN: 0x7e00, f16Inf: 0x7c00 } as Record<string, number>)[poison]!;
        data = a;
      }
      const dims = v['dims'] === 'notArray' ? 'notArray' : (v['dims'] as unknown[]).map(dim);
      return { type: v['type'], dims, data };
    };
    const outcomes = [];
    for (const c of cases) {
      const f = c.feeds as Record<string, unknown>;
      let feeds: unknown;
      if ('top' in f) feeds = ({ null: null, array: [], number: 1, string: 's' } as Record<string, unknown>)[f['top'] as string];
      else {
        const o: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(f)) Object.defineProperty(o, k, { value: build(v as Record<string, unknown>), enumerable: true, writable: true, configurable: true });
        feeds = o;
      }
      const m = models[c.strict ? 'strict' : 'loose']![c.model]!;
      const res = await Promise.race([
        harness.settle(async () => harness.fromTensors(await m.run(feeds as never))),
        new Promise<'hang'>((res) => setTimeout(() => res('hang'), 15_000)),
      ]);
      if (res === 'hang') outcomes.push({ status: 'hang' as const });
      else if (res.ok) outcomes.push({ status: 'ok' as const, out: c.expected ? res.value : undefined });
      else outcomes.push(res.error.isInpageError ? { status: 'typed' as const, code: res.error.code } : { status: 'other' as const, error: `${res.error.name}: ${res.error.message}` });
    }
    const healthy = [];
    for (const k of ['strict', 'loose']) healthy.push(await harness.settle(async () => harness.fromTensors(await models[k]!['mlp']!.run(harness.toTensors(final)))));
    const sameWorkers = strict.testHooks!.workerId() === ids[0] && loose.testHooks!.workerId() === ids[1];
    await strict.dispose();
    await loose.dispose();
    return { outcomes, healthy, sameWorkers };
  }, { cases, final });

  const tally: Record<string, number> = {};
  const problems: string[] = [];
  r.outcomes.forEach((o, i) => {
    const c = cases[i]!;
    const key = o.status === 'typed' ? o.code! : o.status;
    tally[key] = (tally[key] ?? 0) + 1;
    const label = `case ${i} ${c.model} ${c.strict ? 'strict' : 'loose'} [${c.mutations.join('; ') || 'valid'}]`;
    if (o.status === 'hang') problems.push(`${label}: no answer in 15 s`);
    if (o.status === 'other') problems.push(`${label}: ${o.error}`);
    if (c.expected) {
      if (o.status !== 'ok') problems.push(`${label}: valid feeds did not resolve (${key})`);
      else {
        try { expectClose(o.out as Record<string, PlainTensor>, c.expected, 1e-4); } catch (e) { problems.push(`${label}: ${(e as Error).message.slice(0, 200)}`); }
      }
    }
  });
  report(info, 'fuzz-feeds', { cases: FEED_CASES, valid: cases.filter((c) => c.expected).length, outcomes: tally });
  expect(problems, 'fuzz problems').toEqual([]);
  for (const h of r.healthy) {
    expect(h.ok, JSON.stringify(h).slice(0, 300)).toBe(true);
    if (h.ok) expectClose(h.value, plain(mlp.reference(mlp.inputs(2, 77))));
  }
  expect(r.sameWorkers, 'no fuzz case cost a worker restart').toBe(true);
});

/** Model-bytes cases: random, truncated real models, bit-flipped real models. */
/** Model bytes travel to the page as base64 (a JSON array of 500k numbers takes minutes). */
function byteCases(seed: number): { kind: string; bytes: number; b64: string }[] {
  return rawByteCases(seed).map((c) => ({ kind: c.kind, bytes: c.bytes.length, b64: Buffer.from(c.bytes).toString('base64') }));
}

function rawByteCases(seed: number): { kind: string; bytes: Uint8Array }[] {
  const rnd = prng(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const reals = ['mlp', 'multi-io', 'embed-topk', 'big-mlp'].map((n) => getTestModel(n).bytes());
  const out: { kind: string; bytes: Uint8Array }[] = [];
  for (let i = 0; i < BYTE_CASES; i++) {
    const k = i % 3;
    if (k === 0) out.push({ kind: 'random', bytes: Uint8Array.from({ length: int(4096) }, () => int(256)) });
    else {
      const real = reals[int(reals.length)]!;
      if (k === 1) out.push({ kind: 'truncated', bytes: real.slice(0, int(real.length)) });
      else {
        const b = Uint8Array.from(real);
        for (let f = 1 + int(8); f > 0; f--) { const at = int(b.length); b[at] = b[at]! ^ (1 << int(8)); }
        out.push({ kind: 'bitflip', bytes: b });
      }
    }
  }
  return out;
}

test(`fuzz model bytes: ${BYTE_CASES} random, truncated and bit-flipped models give typed errors or working models, never a hang`, async ({ openHarness, page }, info) => {
  test.setTimeout(480_000);
  await openHarness();
  const cases = byteCases(0xb17e);
  page.on('console', (m) => { if (process.env['FUZZ_DEBUG'] && m.text().startsWith('FUZZ')) console.log(m.text()); });
  const mlp = getTestModel('mlp');
  const final = plain(mlp.inputs(3, 78));
  const r = await page.evaluate(async ({ cases, final }) => {
    const { harness, inpage } = window;
    // measure: false keeps WebGPU in the webgpu project, so the fallback path is fuzzed too.
    const engine = await inpage.createEngine({ timeoutMs: 15_000, measure: false, testHooks: true });
    const id0 = engine.testHooks!.workerId();
    const zeros = (inputs: { name: string; type: string; dims: readonly (number | string)[] }[]): Record<string, unknown> | undefined => {
      const make: Record<string, (n: number) => unknown> = {
        float32: (n) => new Float32Array(n), float16: (n) => new Uint16Array(n), int32: (n) => new Int32Array(n), int64: (n) => new BigInt64Array(n),
        uint8: (n) => new Uint8Array(n), int8: (n) => new Int8Array(n), bool: (n) => new Uint8Array(n),
      };
      const feeds: Record<string, unknown> = {};
      for (const i of inputs) {
        if (!make[i.type]) return undefined;
        const dims = i.dims.map((d) => (typeof d === 'number' ? d : 1));
        const n = dims.reduce((a, b) => a * b, 1);
        if (n > 1e6) return undefined;
        feeds[i.name] = { type: i.type, dims, data: make[i.type]!(n) };
      }
      return feeds;
    };
    const decode = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const bounded = <T>(p: Promise<T>): Promise<T | 'hang'> => Promise.race([p, new Promise<'hang'>((res) => setTimeout(() => res('hang'), 20_000))]);
    const outcomes = [];
    for (const [i, c] of cases.entries()) {
      const t0 = performance.now();
      console.log(`FUZZ case ${i} ${c.kind} ${c.bytes}`);
      const load = await bounded(harness.settle(() => engine.load({ bytes: decode(c.b64) })));
      if (load === 'hang') { outcomes.push({ load: 'hang', ms: Math.round(performance.now() - t0) }); continue; }
      if (!load.ok) { outcomes.push({ load: load.error.isInpageError ? load.error.code! : `other ${load.error.name}: ${load.error.message}`, ms: Math.round(performance.now() - t0) }); continue; }
      const m = load.value;
      const feeds = zeros(m.inputs);
      let run = 'no synthetic feeds';
      if (feeds) {
        const res = await bounded(harness.settle(() => m.run(feeds as never)));
        run = res === 'hang' ? 'hang' : res.ok ? 'ok' : res.error.isInpageError ? res.error.code! : `other ${res.error.name}: ${res.error.message}`;
      }
      await bounded(m.dispose());
      outcomes.push({ load: 'loaded', run, backend: m.backend, ms: Math.round(performance.now() - t0) });
    }
    const healthy = await harness.settle(async () => {
      const m = await engine.load({ url: 'models/mlp.onnx' }, { timeoutMs: 90_000 });
      return harness.fromTensors(await m.run(harness.toTensors(final)));
    });
    const restarts = engine.testHooks!.workerId()! - id0!;
    await engine.dispose();
    return { outcomes, healthy, restarts };
  }, { cases, final });

  const tally: Record<string, number> = {};
  const problems: string[] = [];
  r.outcomes.forEach((o, i) => {
    const key = `${cases[i]!.kind}:${o.load}${'run' in o ? `/${o.run}` : ''}`;
    tally[key] = (tally[key] ?? 0) + 1;
    const bad = [o.load, 'run' in o ? o.run : ''].find((s) => s === 'hang' || (s ?? '').startsWith('other'));
    if (bad) problems.push(`case ${i} (${cases[i]!.kind}, ${cases[i]!.bytes} bytes): ${bad}`);
  });
  const slowest = r.outcomes.map((o, i) => ({ i, kind: cases[i]!.kind, bytes: cases[i]!.bytes, ms: o.ms, load: o.load })).sort((a, b) => b.ms - a.ms).slice(0, 5);
  report(info, 'fuzz-model-bytes', { cases: BYTE_CASES, outcomes: tally, workerRestarts: r.restarts, totalCaseMs: r.outcomes.reduce((a, o) => a + o.ms, 0), slowest });
  expect(problems, 'untyped errors or hangs').toEqual([]);
  expect(r.healthy.ok, JSON.stringify(r.healthy).slice(0, 300)).toBe(true);
  if (r.healthy.ok) expectClose(r.healthy.value, plain(mlp.reference(mlp.inputs(3, 78))));
});
