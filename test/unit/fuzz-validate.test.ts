/**
 * Fuzzing validateFeeds (src/validate.ts), seeded and with fixed iteration counts: random feeds
 * against random TensorInfo lists either pass — and then really satisfy every declared rule — or
 * throw InpageError('INPUT_INVALID'); never anything else. The generator mixes valid feeds with
 * single mutations (so the pass path is exercised too) and wholly random values, including the
 * dictionary values fuzzers learn the hard way: prototype keys, BigInt, -0, NaN, huge dims.
 *
 * Failures are collected over the whole run and grouped by what was thrown, so one run reports
 * every distinct problem with a minimal-looking counterexample for each.
 */
import { Gen } from './helpers/fuzz-gen.ts';
import { describe, expect, it } from 'vitest';
import { InpageError } from '../../src/errors.ts';
import type { Tensor, TensorInfo, TensorType } from '../../src/tensor.ts';
import { validateFeeds, validateTensor, type ValidateOptions } from '../../src/validate.ts';

const TYPES: readonly TensorType[] = ['float32', 'float16', 'int32', 'int64', 'uint8', 'int8', 'bool'];
const ARRAYS = {
  Float32Array, Float64Array, Uint16Array, Int32Array, BigInt64Array, BigUint64Array, Uint8Array, Int8Array,
  Uint8ClampedArray, Int16Array, Uint32Array,
} as const;
type ArrayName = keyof typeof ARRAYS;
const RIGHT_ARRAY: Record<TensorType, ArrayName> = {
  float32: 'Float32Array', float16: 'Uint16Array', int32: 'Int32Array', int64: 'BigInt64Array', uint8: 'Uint8Array', int8: 'Int8Array', bool: 'Uint8Array',
};
/** The array for a type name, own keys only ('constructor' must not find Object). */
function rightArray(type: unknown): ArrayName {
  return typeof type === 'string' && Object.hasOwn(RIGHT_ARRAY, type) ? RIGHT_ARRAY[type as TensorType] : 'Float32Array';
}
/** Strings that are also properties of every object, and near-misses of real type names. */
const TRICKY_STRINGS = ['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty', 'float64', 'FLOAT32', 'float', '', ' ', 'x\u0000', 'ø'];
const NAMES = ['x', 'ids', 'a', 'b', 'input_ids', 'attention_mask', 'x.1', 'ø', ''];
const WEIRD_DIMS: readonly unknown[] = [-1, -0, 0.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 53, 2 ** 60, '2', null, undefined, true, 1n, [], {}];
const WEIRD_VALUES: readonly unknown[] = [
  null, undefined, 0, 1, -1, NaN, '', 'x', true, 1n, Symbol('s'), [], [1, 2], {}, new Date(0), new Map(), /x/,
  Object.create(null), new ArrayBuffer(8), new DataView(new ArrayBuffer(8)), () => 0, new Float32Array(4), new Error('e'),
];

/** Product of dims; NaN when one is not a number (the generator's own arithmetic never throws). */
function product(dims: readonly unknown[]): number {
  return dims.reduce<number>((a, b) => a * (typeof b === 'number' ? b : NaN), 1);
}

function makeArray(name: ArrayName, wanted: number, g: Gen, nonFinite: boolean): unknown {
  // Dims may already be absurd (a mutation put 2^60 in them): the data stays small regardless.
  const n = Number.isInteger(wanted) && wanted >= 0 && wanted <= 4096 ? wanted : g.int(8);
  const arr = new ARRAYS[name](n) as unknown as { [i: number]: number | bigint; length: number };
  const big = name === 'BigInt64Array' || name === 'BigUint64Array';
  for (let i = 0; i < n; i++) arr[i] = big ? BigInt(g.int(100)) : g.int(200) - 100;
  if (nonFinite && n > 0 && (name === 'Float32Array' || name === 'Float64Array')) arr[g.int(n)] = g.pick([NaN, Infinity, -Infinity]);
  if (nonFinite && n > 0 && name === 'Uint16Array') arr[g.int(n)] = g.pick([0x7c00, 0xfc00, 0x7e00, 0x7fff]);
  return arr;
}

function randomInfo(g: Gen): TensorInfo[] {
  const n = g.int(4);
  const used = new Set<string>();
  const out: TensorInfo[] = [];
  for (let i = 0; i < n; i++) {
    let name = g.chance(0.05) ? g.pick(TRICKY_STRINGS) : g.pick(NAMES);
    while (used.has(name)) name += '_';
    used.add(name);
    const rank = g.int(4);
    const dims = Array.from({ length: rank }, (_, k) => (g.chance(0.4) ? (k === 0 ? 'batch' : `d${k}`) : g.int(4)));
    out.push({ name, type: g.chance(0.1) ? 'unknown' : g.pick(TYPES), dims });
  }
  return out;
}

/** A tensor that satisfies `info` (dynamic dims get a random size). */
function validTensor(info: TensorInfo, g: Gen): { type: TensorType; dims: number[]; data: unknown } {
  const type = info.type === 'unknown' ? g.pick(TYPES) : info.type;
  const dims = info.dims.length === 0 && g.chance(0.3) ? [g.int(3)] : info.dims.map((d) => (typeof d === 'number' ? d : g.int(4)));
  return { type, dims, data: makeArray(RIGHT_ARRAY[type], product(dims), g, false) };
}

/** One mutation of a tensor, chosen at random. */
function mutateTensor(t: { type: unknown; dims: unknown[]; data: unknown }, g: Gen): unknown {
  // A second mutation may land on something that is no longer tensor-shaped.
  if (typeof t !== 'object' || t === null || !Array.isArray(t.dims)) return g.pick(WEIRD_VALUES);
  switch (g.int(9)) {
    case 0: return { ...t, type: g.chance(0.5) ? g.pick(TRICKY_STRINGS) : g.pick(WEIRD_VALUES) };
    case 1: return { ...t, type: g.pick(TYPES) };
    case 2: return { ...t, data: makeArray(g.pick(Object.keys(ARRAYS) as ArrayName[]), product(t.dims) || 1, g, false) };
    case 3: {
      const dims = [...t.dims];
      if (dims.length === 0) dims.push(g.pick(WEIRD_DIMS)); else dims[g.int(dims.length)] = g.pick(WEIRD_DIMS);
      return { ...t, dims };
    }
    case 4: return { ...t, dims: g.chance(0.5) ? [...t.dims, 1] : t.dims.slice(1) };
    case 5: {
      const n = Math.max(0, product(t.dims) + g.pick([-1, 1, 7]));
      return { ...t, data: makeArray(rightArray(t.type), n, g, false) };
    }
    case 6: return { ...t, data: makeArray(rightArray(t.type), product(t.dims), g, true) };
    case 7: return g.pick(WEIRD_VALUES);
    default: return { ...t, dims: g.pick([null, 'x', 5, { length: 2 }, [[1]], t.data]) };
  }
}

function randomFeeds(inputs: TensorInfo[], g: Gen): unknown {
  const mode = g.int(10);
  if (mode === 0) return g.pick(WEIRD_VALUES);
  // Own properties even for names like '__proto__' (as JSON.parse or a structured clone make them).
  const feeds: Record<string, unknown> = {};
  const put = (k: string, v: unknown): void => { Object.defineProperty(feeds, k, { value: v, enumerable: true, writable: true, configurable: true }); };
  for (const info of inputs) put(info.name, validTensor(info, g));
  if (mode <= 3 || inputs.length === 0) {
    // valid as built (the pass path), or with an extra/missing input
    if (mode === 2) put(g.chance(0.5) ? g.pick(TRICKY_STRINGS) : `extra${g.int(3)}`, validTensor({ name: 'e', type: g.pick(TYPES), dims: [1] }, g));
    if (mode === 3 && inputs.length > 0) delete feeds[g.pick(inputs).name];
    return feeds;
  }
  const victim = g.pick(inputs).name;
  put(victim, mutateTensor(feeds[victim] as { type: unknown; dims: unknown[]; data: unknown }, g));
  if (g.chance(0.2)) { const other = g.pick(inputs).name; put(other, mutateTensor(feeds[other] as { type: unknown; dims: unknown[]; data: unknown }, g)); }
  return feeds;
}

function randomOpts(g: Gen): ValidateOptions {
  const o: ValidateOptions = {};
  if (g.chance(0.3)) o.maxElements = g.int(64);
  if (g.chance(0.5)) o.rejectNonFinite = true;
  return o;
}

/** Everything validateFeeds promises about feeds it accepts. */
function checkAccepted(feeds: unknown, inputs: TensorInfo[], opts: ValidateOptions): string | undefined {
  const f = feeds as Record<string, Tensor>;
  const names = new Set(inputs.map((i) => i.name));
  for (const k of Object.keys(f)) if (!names.has(k)) return `accepted unknown input '${k}'`;
  let total = 0;
  for (const info of inputs) {
    if (!Object.hasOwn(f, info.name)) return `accepted without own input '${info.name}'`;
    const t = f[info.name]!;
    if (info.type !== 'unknown' && t.type !== info.type) return `accepted type ${String(t.type)} for ${info.type}`;
    if (!Array.isArray(t.dims) || !t.dims.every((d) => Number.isInteger(d) && d >= 0)) return `accepted dims ${String(t.dims)}`;
    if (t.data.length !== product(t.dims)) return 'accepted a length that disagrees with dims';
    if (info.dims.length > 0 && t.dims.length !== info.dims.length) return 'accepted a wrong rank';
    if (info.dims.some((d, i) => typeof d === 'number' && t.dims[i] !== d)) return 'accepted a wrong static dim';
    const ok = RIGHT_ARRAY[t.type] === t.data.constructor.name || (t.type === 'bool' && t.data instanceof Uint8Array);
    if (!ok) return `accepted ${t.data.constructor.name} for ${t.type}`;
    if (opts.rejectNonFinite && t.type === 'float32' && !(t.data as Float32Array).every(Number.isFinite)) return 'accepted NaN/Infinity';
    if (opts.rejectNonFinite && t.type === 'float16' && (t.data as Uint16Array).some((b) => (b & 0x7c00) === 0x7c00)) return 'accepted float16 NaN/Infinity';
    total += t.data.length;
  }
  if (total > (opts.maxElements ?? 2 ** 26)) return `accepted ${total} elements over the cap`;
  return undefined;
}

function describeValue(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : typeof x === 'symbol' ? String(x) : ArrayBuffer.isView(x) ? `${x.constructor.name}(${(x as unknown as { length?: number }).length ?? '?'})` : x))?.slice(0, 240) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

describe('fuzz: validateFeeds against random TensorInfo lists', () => {
  const ITERATIONS = 20_000;
  const SEED = 0x1a2b3c;

  it(`${ITERATIONS} seeded cases: accepts only what it promises, otherwise throws INPUT_INVALID and nothing else`, () => {
    const g = new Gen(SEED);
    const problems = new Map<string, { count: number; example: string }>();
    const note = (kind: string, example: string): void => {
      const p = problems.get(kind);
      if (p) p.count++; else problems.set(kind, { count: 1, example });
    };
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const inputs = randomInfo(g);
      const feeds = randomFeeds(inputs, g);
      const opts = randomOpts(g);
      const example = `#${i} inputs=${describeValue(inputs)} feeds=${describeValue(feeds)} opts=${describeValue(opts)}`;
      try {
        validateFeeds(feeds, inputs, opts);
        accepted++;
        const wrong = checkAccepted(feeds, inputs, opts);
        if (wrong) note(`accepted invalid feeds: ${wrong}`, example);
      } catch (e) {
        if (e instanceof InpageError && e.code === 'INPUT_INVALID' && e.message.length > 0) rejected++;
        else note(`threw ${e instanceof InpageError ? `InpageError ${e.code}` : `${(e as Error)?.name}: ${(e as Error)?.message}`}`, example);
      }
    }
    const report = [...problems].map(([kind, p]) => `${kind} ×${p.count}\n    e.g. ${p.example}`);
    // Both paths must really be exercised for the run to mean anything.
    expect(accepted, 'accepted cases').toBeGreaterThan(ITERATIONS / 10);
    expect(rejected, 'rejected cases').toBeGreaterThan(ITERATIONS / 2);
    expect(report, 'distinct problems (kind ×count, first example)').toEqual([]);
  });

  it('validateTensor on wholly random values: INPUT_INVALID or a valid tensor, never another throw', () => {
    const g = new Gen(SEED + 1);
    const problems = new Map<string, string>();
    for (let i = 0; i < 5_000; i++) {
      const t = mutateTensor(validTensor({ name: 't', type: g.pick(TYPES), dims: [g.int(3), g.int(3)] }, g) as { type: unknown; dims: unknown[]; data: unknown }, g);
      try {
        validateTensor('t', t);
      } catch (e) {
        if (!(e instanceof InpageError && e.code === 'INPUT_INVALID')) {
          const kind = `${(e as Error)?.name}: ${(e as Error)?.message}`;
          if (!problems.has(kind)) problems.set(kind, describeValue(t));
        }
      }
    }
    expect([...problems].map(([k, ex]) => `${k} — e.g. ${ex}`)).toEqual([]);
  });
});
