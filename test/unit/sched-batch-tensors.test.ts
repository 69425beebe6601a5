/**
 * Micro-batching tensor plumbing: which models batch (and why not), which requests share a run,
 * and stacking/splitting rows exactly — including sequence padding and trimming back.
 */
import { describe, expect, it } from 'vitest';
import { SHARED_KEY_MAX, batchLayout, describeLayout, rowsOf, sameGroup, splitOutputs, stackFeeds, type BatchLayout } from '../../src/scheduling/batch-tensors.ts';
import type { Tensor, TensorInfo, Tensors } from '../../src/tensor.ts';
import { validateTensor } from '../../src/validate.ts';
import { thrown } from './helpers/catch.ts';

const f32 = (dims: number[], values: number[]): Tensor => ({ type: 'float32', dims, data: Float32Array.from(values) });
const i64 = (dims: number[], values: number[]): Tensor => ({ type: 'int64', dims, data: BigInt64Array.from(values.map((v) => BigInt(v))) });
const bool = (dims: number[], values: number[]): Tensor => ({ type: 'bool', dims, data: Uint8Array.from(values) });
const u8 = (dims: number[], values: number[]): Tensor => ({ type: 'uint8', dims, data: Uint8Array.from(values) });

/** 0, 1, 2, … shifted by `from`, `n` long. */
const seq = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

/** A batch layout that must exist (the test fails loudly if it came back as a reason). */
function layoutOf(inputs: TensorInfo[], outputs: TensorInfo[], pad: Record<string, number | bigint> = {}): BatchLayout {
  const l = batchLayout(inputs, outputs, pad);
  if (typeof l === 'string') throw new Error(`expected a batch layout, got reason: ${l}`);
  return l;
}

/** Plain arrays for comparison (bigints stay bigints). */
const plain = (t: Tensor): { type: string; dims: number[]; data: (number | bigint)[] } => ({ type: t.type, dims: [...t.dims], data: Array.from(t.data as ArrayLike<number | bigint>) });

describe('batchLayout', () => {
  const x: TensorInfo = { name: 'x', type: 'float32', dims: ['batch', 4] };
  const y: TensorInfo = { name: 'y', type: 'float32', dims: ['batch', 1] };

  it('batches when every input and output has a dynamic first dim', () => {
    const l = batchLayout([x, { name: 'ids', type: 'int64', dims: ['N', 'seq'] }], [y]);
    expect(typeof l).toBe('object');
    expect(l).toMatchObject({ pad: new Map(), trim: new Map() });
  });

  it('batches a fixed-shape input (a top-k `k` [1]) as shared, and says so in the reason', () => {
    const l = layoutOf([x, { name: 'k', type: 'int64', dims: [1] }], [y]);
    expect([...l.shared]).toEqual(['k']);
    expect(l.rowsFrom).toBe('x');
    expect(describeLayout(l)).toContain("'k'");
    expect(describeLayout(layoutOf([x], [y]))).toBe('dynamic batch axis on every input and output');
  });

  it('does not batch when no input has a dynamic first dim, and names them in the reason', () => {
    const l = batchLayout([{ name: 'k', type: 'int64', dims: [1] }, { name: 'z', type: 'float32', dims: [2, 4] }], [y]);
    expect(typeof l).toBe('string');
    expect(l).toContain("'k' [1]");
    expect(l).toContain("'z' [2, 4]");
  });

  it('does not batch when an output has a fixed first dim, and names it in the reason', () => {
    const l = batchLayout([x], [y, { name: 'scores', type: 'float32', dims: [1, 10] }]);
    expect(typeof l).toBe('string');
    expect(l).toContain("'scores' [1, 10]");
  });

  it('does not batch a scalar (no first dim at all)', () => {
    const l = batchLayout([x], [{ name: 'loss', type: 'float32', dims: [] }]);
    expect(typeof l).toBe('string');
    expect(l).toContain("'loss'");
  });

  it('does not batch a model without inputs, with a reason', () => {
    const l = batchLayout([], [y]);
    expect(typeof l).toBe('string');
    expect((l as string).length).toBeGreaterThan(0);
  });

  it('rejects pad on an input whose axis 1 is not dynamic with OPTION_INVALID', () => {
    const e = thrown(() => batchLayout([x], [y], { x: 0 }));
    expect(e.code).toBe('OPTION_INVALID');
    expect(e.message).toContain("'x'");
  });

  it('rejects pad on a 1-D input (no axis 1) with OPTION_INVALID', () => {
    const e = thrown(() => batchLayout([{ name: 'id', type: 'int64', dims: ['batch'] }], [y], { id: 0 }));
    expect(e.code).toBe('OPTION_INVALID');
  });

  it('rejects pad on an unknown input with OPTION_INVALID naming it and the real inputs', () => {
    const e = thrown(() => batchLayout([x], [y], { nope: 0 }));
    expect(e.code).toBe('OPTION_INVALID');
    expect(e.message).toContain("'nope'");
    expect(e.message).toContain('x');
  });

  it('maps outputs whose axis 1 shares the padded input\'s dimParam to that input, and no others', () => {
    const l = layoutOf(
      [{ name: 'ids', type: 'int64', dims: ['batch', 'seq'] }, { name: 'q', type: 'float32', dims: ['batch', 'qlen'] }],
      [
        { name: 'hidden', type: 'float32', dims: ['batch', 'seq', 8] },
        { name: 'mask_out', type: 'bool', dims: ['batch', 'seq'] },
        { name: 'pooled', type: 'float32', dims: ['batch', 8] },
        { name: 'other', type: 'float32', dims: ['batch', 'qlen'] },
      ],
      { ids: 0 },
    );
    expect([...l.trim.entries()].sort()).toEqual([['hidden', 'ids'], ['mask_out', 'ids']]);
    expect(l.pad.get('ids')).toBe(0n); // int64 input: the pad value becomes a bigint
  });

  it('keeps the pad value a number for non-int64 inputs', () => {
    const l = layoutOf([{ name: 'emb', type: 'float32', dims: ['b', 's', 2] }], [y], { emb: 1.5 });
    expect(l.pad.get('emb')).toBe(1.5);
  });
});

describe('sameGroup', () => {
  const plainLayout = layoutOf([{ name: 'x', type: 'float32', dims: ['b', 'd'] }, { name: 'ids', type: 'int64', dims: ['b', 's'] }], [{ name: 'y', type: 'float32', dims: ['b'] }]);
  const padLayout = layoutOf([{ name: 'x', type: 'float32', dims: ['b', 'd'] }, { name: 'ids', type: 'int64', dims: ['b', 's', 'k'] }], [{ name: 'y', type: 'float32', dims: ['b'] }], { ids: 0 });

  it('groups requests of the same trailing shapes, whatever their row counts', () => {
    const a = { x: f32([1, 4], seq(4)), ids: i64([1, 3], seq(3)) };
    const b = { x: f32([3, 4], seq(12)), ids: i64([3, 3], seq(9)) };
    expect(sameGroup(a, b, plainLayout)).toBe(true);
    expect(sameGroup(b, a, plainLayout)).toBe(true);
  });

  it('does not depend on the order of the feed names', () => {
    const a = { x: f32([1, 4], seq(4)), ids: i64([1, 3], seq(3)) };
    const b = { ids: i64([1, 3], seq(3)), x: f32([1, 4], seq(4)) };
    expect(sameGroup(a, b, plainLayout)).toBe(true);
  });

  it('tells apart different trailing dims', () => {
    const a = { x: f32([1, 4], seq(4)), ids: i64([1, 3], seq(3)) };
    const b = { x: f32([1, 5], seq(5)), ids: i64([1, 3], seq(3)) };
    const c = { x: f32([1, 4], seq(4)), ids: i64([1, 2], seq(2)) };
    expect(sameGroup(a, b, plainLayout)).toBe(false);
    expect(sameGroup(a, c, plainLayout)).toBe(false);
    expect(sameGroup(b, c, plainLayout)).toBe(false);
  });

  it('tells apart different sets of inputs, in both directions', () => {
    const a = { x: f32([1, 4], seq(4)), ids: i64([1, 3], seq(3)) };
    const b = { x: f32([1, 4], seq(4)) };
    const c = { x: f32([1, 4], seq(4)), other: i64([1, 3], seq(3)) };
    expect(sameGroup(a, b, plainLayout)).toBe(false);
    expect(sameGroup(b, a, plainLayout)).toBe(false);
    expect(sameGroup(a, c, plainLayout)).toBe(false);
  });

  it('tells [n, 3, 4] from [n, 34] and [n, 12]', () => {
    const l = layoutOf([{ name: 'x', type: 'float32', dims: ['b', 'p', 'q'] }], [{ name: 'y', type: 'float32', dims: ['b'] }]);
    const r = [{ x: f32([1, 3, 4], seq(12)) }, { x: f32([1, 34], seq(34)) }, { x: f32([1, 12], seq(12)) }];
    for (const a of r) for (const b of r) expect(sameGroup(a, b, l)).toBe(a === b);
  });

  it('tells apart different element types', () => {
    const l = layoutOf([{ name: 'x', type: 'unknown', dims: ['b', 2] }], [{ name: 'y', type: 'float32', dims: ['b'] }]);
    expect(sameGroup({ x: f32([1, 2], [1, 2]) }, { x: i64([1, 2], [1, 2]) }, l)).toBe(false);
  });

  it('ignores the padded axis, but not the axes after it or other inputs', () => {
    const a = { x: f32([1, 4], seq(4)), ids: i64([1, 3, 2], seq(6)) };
    const b = { x: f32([2, 4], seq(8)), ids: i64([2, 7, 2], seq(28)) };
    const c = { x: f32([1, 4], seq(4)), ids: i64([1, 3, 5], seq(15)) };
    const d = { x: f32([1, 5], seq(5)), ids: i64([1, 3, 2], seq(6)) };
    const e = { x: f32([1, 4], seq(4)), ids: i64([1, 3, 2, 1], seq(6)) };
    expect(sameGroup(a, b, padLayout)).toBe(true);
    expect(sameGroup(a, c, padLayout)).toBe(false);
    expect(sameGroup(a, d, padLayout)).toBe(false);
    expect(sameGroup(a, e, padLayout)).toBe(false);
  });
});

describe('stackFeeds + splitOutputs round trip', () => {
  const layout = layoutOf(
    [
      { name: 'x', type: 'float32', dims: ['b', 4] },
      { name: 'ids', type: 'int64', dims: ['b', 2] },
      { name: 'flag', type: 'bool', dims: ['b', 3] },
      { name: 'px', type: 'uint8', dims: ['b', 2, 2] },
    ],
    [{ name: 'y', type: 'float32', dims: ['b'] }],
  );

  /** A request of `rows` rows whose every value is unique to request `r`. */
  function request(r: number, rows: number): Tensors {
    return {
      x: f32([rows, 4], seq(rows * 4, r * 100 + 0.5)),
      ids: i64([rows, 2], seq(rows * 2, r * 1000 + 7)),
      flag: bool([rows, 3], seq(rows * 3).map((i) => (i + r) % 2)),
      px: u8([rows, 2, 2], seq(rows * 4, r * 40)),
    };
  }

  for (const rowsPerRequest of [[1], [1, 1], [3, 1, 2], [2, 3, 3, 1]]) {
    it(`stacks rows in request order and splits them back exactly (rows ${rowsPerRequest.join(', ')})`, () => {
      const reqs = rowsPerRequest.map((n, r) => request(r, n));
      const total = rowsPerRequest.reduce((a, b) => a + b, 0);
      const stacked = stackFeeds(reqs, layout);

      for (const name of ['x', 'ids', 'flag', 'px']) {
        const t = stacked[name]!;
        expect(t.type).toBe(reqs[0]![name]!.type);
        expect(t.dims[0]).toBe(total);
        expect(t.dims.slice(1)).toEqual(reqs[0]![name]!.dims.slice(1));
        expect(t.data.constructor).toBe(reqs[0]![name]!.data.constructor);
        // Exactly the concatenation of each request's data, in order.
        const expected = reqs.flatMap((q) => Array.from(q[name]!.data as ArrayLike<number | bigint>));
        expect(Array.from(t.data as ArrayLike<number | bigint>)).toEqual(expected);
      }
      expect(rowsOf(stacked)).toBe(total);

      // An identity "model": outputs are the stacked inputs.
      const parts = splitOutputs(stacked, reqs, layout);
      expect(parts).toHaveLength(reqs.length);
      parts.forEach((part, i) => {
        expect(Object.keys(part).sort()).toEqual(['flag', 'ids', 'px', 'x']);
        for (const name of Object.keys(part)) {
          expect(plain(part[name]!)).toEqual(plain(reqs[i]![name]!));
          expect(part[name]!.data.constructor).toBe(reqs[i]![name]!.data.constructor);
        }
      });
    });
  }

  it('splits outputs with shapes unlike the inputs by the requests\' row counts', () => {
    const reqs = [request(0, 2), request(1, 1), request(2, 3)];
    // A [6, 3] output: row r holds r*10 + k.
    const out = { scores: f32([6, 3], seq(6).flatMap((r) => [r * 10, r * 10 + 1, r * 10 + 2])) };
    const parts = splitOutputs(out, reqs, layout);
    expect(parts.map((p) => plain(p['scores']!))).toEqual([
      { type: 'float32', dims: [2, 3], data: [0, 1, 2, 10, 11, 12] },
      { type: 'float32', dims: [1, 3], data: [20, 21, 22] },
      { type: 'float32', dims: [3, 3], data: [30, 31, 32, 40, 41, 42, 50, 51, 52] },
    ]);
  });

  it('stacking copies: changing a request after stacking leaves the stacked tensor as it was', () => {
    const reqs = [request(0, 1), request(1, 2)];
    const stacked = stackFeeds(reqs, layout);
    const before = Array.from(stacked['x']!.data as Float32Array);
    (reqs[0]!['x']!.data as Float32Array)[0] = -999;
    expect(Array.from(stacked['x']!.data as Float32Array)).toEqual(before);
  });

  it('splitting gives copies: mutating one caller\'s output touches neither the others nor the batch', () => {
    const reqs = [request(0, 2), request(1, 2)];
    const stacked = stackFeeds(reqs, layout);
    const snapshot = plain(stacked['ids']!);
    const parts = splitOutputs(stacked, reqs, layout);
    const mine = parts[0]!['ids']!.data as BigInt64Array;
    mine.fill(-1n);
    expect(Array.from(parts[1]!['ids']!.data as BigInt64Array)).toEqual([1007n, 1008n, 1009n, 1010n]);
    expect(plain(stacked['ids']!)).toEqual(snapshot);
    // Each part owns its whole buffer (no view into a larger shared one).
    for (const p of parts) for (const t of Object.values(p)) expect(t.data.byteLength).toBe(t.data.buffer.byteLength);
  });
});

describe('padding along axis 1', () => {
  const inputs: TensorInfo[] = [
    { name: 'ids', type: 'int64', dims: ['batch', 'seq'] },
    { name: 'user', type: 'float32', dims: ['batch', 2] },
  ];
  const outputs: TensorInfo[] = [
    { name: 'hidden', type: 'float32', dims: ['batch', 'seq', 2] },
    { name: 'tokmask', type: 'bool', dims: ['batch', 'seq'] },
    { name: 'pooled', type: 'float32', dims: ['batch', 2] },
  ];
  const layout = layoutOf(inputs, outputs, { ids: 9 });

  const reqs: Tensors[] = [
    { ids: i64([1, 2], [1, 2]), user: f32([1, 2], [0.5, 0.25]) },
    { ids: i64([2, 4], [3, 4, 5, 6, 7, 8, 10, 11]), user: f32([2, 2], [1, 2, 3, 4]) },
    { ids: i64([1, 3], [12, 13, 14]), user: f32([1, 2], [5, 6]) },
  ];

  it('pads int64 sequence inputs of different lengths with the declared value', () => {
    const stacked = stackFeeds(reqs, layout);
    expect(plain(stacked['ids']!)).toEqual({
      type: 'int64',
      dims: [4, 4],
      data: [1n, 2n, 9n, 9n, 3n, 4n, 5n, 6n, 7n, 8n, 10n, 11n, 12n, 13n, 14n, 9n],
    });
    // Inputs not named in pad are stacked as they are.
    expect(plain(stacked['user']!)).toEqual({ type: 'float32', dims: [4, 2], data: [0.5, 0.25, 1, 2, 3, 4, 5, 6] });
  });

  it('pads a 3-D input along axis 1 only, keeping whole inner rows', () => {
    const l = layoutOf([{ name: 'emb', type: 'float32', dims: ['b', 's', 2] }], [{ name: 'o', type: 'float32', dims: ['b', 's', 2] }], { emb: -1 });
    const stacked = stackFeeds([
      { emb: f32([1, 1, 2], [1, 2]) },
      { emb: f32([2, 3, 2], seq(12, 10)) },
    ], l);
    expect(plain(stacked['emb']!)).toEqual({
      type: 'float32',
      dims: [3, 3, 2],
      data: [1, 2, -1, -1, -1, -1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21],
    });
  });

  it('does not pad when every request has the same length', () => {
    const same = [{ ids: i64([1, 2], [1, 2]), user: f32([1, 2], [0, 0]) }, { ids: i64([1, 2], [3, 4]), user: f32([1, 2], [0, 0]) }];
    expect(plain(stackFeeds(same, layout)['ids']!)).toEqual({ type: 'int64', dims: [2, 2], data: [1n, 2n, 3n, 4n] });
  });

  it('trims outputs that follow the padded axis back to each request\'s own length', () => {
    const stacked = stackFeeds(reqs, layout);
    const ids = stacked['ids']!;
    const [rows = 0, s = 0] = ids.dims;
    // A fake model: hidden[r, t] = [id, -id], tokmask = id != pad, pooled = [row, rowsum].
    const idv = Array.from(ids.data as BigInt64Array, Number);
    const out: Tensors = {
      hidden: f32([rows, s, 2], idv.flatMap((v) => [v, -v])),
      tokmask: bool([rows, s], idv.map((v) => (v === 9 ? 0 : 1))),
      pooled: f32([rows, 2], seq(rows).flatMap((r) => [r, r * 100])),
    };
    const parts = splitOutputs(out, reqs, layout);
    expect(parts.map((p) => plain(p['hidden']!))).toEqual([
      { type: 'float32', dims: [1, 2, 2], data: [1, -1, 2, -2] },
      { type: 'float32', dims: [2, 4, 2], data: [3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8, 10, -10, 11, -11] },
      { type: 'float32', dims: [1, 3, 2], data: [12, -12, 13, -13, 14, -14] },
    ]);
    expect(parts.map((p) => plain(p['tokmask']!))).toEqual([
      { type: 'bool', dims: [1, 2], data: [1, 1] },
      { type: 'bool', dims: [2, 4], data: [1, 1, 1, 1, 1, 1, 1, 1] },
      { type: 'bool', dims: [1, 3], data: [1, 1, 1] },
    ]);
    // Not following the padded axis: split by rows only.
    expect(parts.map((p) => plain(p['pooled']!))).toEqual([
      { type: 'float32', dims: [1, 2], data: [0, 0] },
      { type: 'float32', dims: [2, 2], data: [1, 100, 2, 200] },
      { type: 'float32', dims: [1, 2], data: [3, 300] },
    ]);
    // Trimmed tensors keep their element type's array.
    expect(parts[0]!['tokmask']!.data).toBeInstanceOf(Uint8Array);
    expect(parts[0]!['hidden']!.data).toBeInstanceOf(Float32Array);
  });

  it('trimmed outputs are copies too', () => {
    const stacked = stackFeeds(reqs, layout);
    const hidden = f32([4, 4, 2], seq(32));
    const out: Tensors = { hidden, tokmask: bool([4, 4], seq(16).map(() => 1)), pooled: f32([4, 2], seq(8)) };
    const parts = splitOutputs(out, reqs, layout);
    (parts[0]!['hidden']!.data as Float32Array).fill(-5);
    (parts[1]!['hidden']!.data as Float32Array).fill(-6); // the longest request: not trimmed, still a copy
    expect(Array.from(hidden.data as Float32Array)).toEqual(seq(32));
    expect(Array.from(parts[2]!['hidden']!.data as Float32Array)).toEqual([24, 25, 26, 27, 28, 29]);
    expect(stacked['ids']!.dims).toEqual([4, 4]);
  });
});

describe('float16 inputs', () => {
  const l = layoutOf([{ name: 'h', type: 'float16', dims: ['b', 2] }], [{ name: 'y', type: 'float32', dims: ['b'] }]);

  it('stacks float16 raw bits (Uint16Array) unchanged', () => {
    const one = 0x3c00; // 1.0
    const two = 0x4000; // 2.0
    const s = stackFeeds([
      { h: { type: 'float16', dims: [1, 2], data: Uint16Array.from([one, two]) } },
      { h: { type: 'float16', dims: [1, 2], data: Uint16Array.from([two, one]) } },
    ], l);
    expect(s['h']!.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(s['h']!.data as Uint16Array)).toEqual([one, two, two, one]);
  });

  it('never stacks float16 sent as Float16Array with float16 sent as raw bits', () => {
    // validateFeeds accepts float16 data as either Uint16Array (raw bits) or Float16Array
    // (numeric values, Chrome 135+). TypedArray#set converts by *value*, so stacking the two
    // would turn bits 0x3C00 into the number 15360 (or 1.0 into bits 0x0001). sameGroup compares
    // the array class, so such requests never share a run. Node 20 has no Float16Array, so a
    // Float32Array subclass stands in (it converts on set() exactly as Float16Array does).
    class Float16Stand extends Float32Array {}
    const g = globalThis as { Float16Array?: unknown };
    const had = Object.prototype.hasOwnProperty.call(g, 'Float16Array');
    const saved = g.Float16Array;
    g.Float16Array = g.Float16Array ?? Float16Stand;
    try {
      const F16 = g.Float16Array as typeof Float16Stand;
      const numeric = { h: { type: 'float16', dims: [1, 2], data: F16.from([1, 2]) as unknown as Uint16Array } } as Tensors;
      const bits = { h: { type: 'float16', dims: [1, 2], data: Uint16Array.from([0x3c00, 0x4000]) } } as Tensors;
      validateTensor('h', numeric['h']); // accepted at the boundary…
      validateTensor('h', bits['h']);
      expect(sameGroup(numeric, bits, l)).toBe(false); // …but never batched together
      const another = { h: { type: 'float16', dims: [2, 2], data: Uint16Array.from([1, 2, 3, 4]) } } as Tensors;
      expect(sameGroup(another, bits, l)).toBe(true);
    } finally {
      if (had) g.Float16Array = saved; else delete g.Float16Array;
    }
  });
});

describe('shared (fixed-shape) inputs', () => {
  const layout = layoutOf([{ name: 'x', type: 'float32', dims: ['batch', 2] }, { name: 'k', type: 'int64', dims: [1] }], [{ name: 'top', type: 'float32', dims: ['batch', 'k'] }]);
  const req = (k: number, rows: number, from: number): Tensors => ({ k: i64([1], [k]), x: f32([rows, 2], seq(rows * 2, from)) });

  it('groups only requests with equal shared values', () => {
    expect(sameGroup(req(3, 1, 0), req(3, 2, 10), layout)).toBe(true);
    expect(sameGroup(req(3, 1, 0), req(4, 1, 0), layout)).toBe(false);
    // Same value, other shape: the run would see a different tensor.
    expect(sameGroup(req(3, 1, 0), { k: i64([1, 1], [3]), x: f32([1, 2], [0, 1]) }, layout)).toBe(false);
  });

  it('never groups requests whose shared input is too large to compare by value', () => {
    const big = layoutOf([{ name: 'x', type: 'float32', dims: ['batch', 2] }, { name: 'm', type: 'float32', dims: [SHARED_KEY_MAX + 1] }], [{ name: 'y', type: 'float32', dims: ['batch'] }]);
    const r = (): Tensors => ({ x: f32([1, 2], [1, 2]), m: f32([SHARED_KEY_MAX + 1], seq(SHARED_KEY_MAX + 1)) });
    expect(sameGroup(r(), r(), big)).toBe(false);
  });

  it('counts rows from a batched input, not from the shared one', () => {
    expect(rowsOf(req(3, 5, 0), layout)).toBe(5);
  });

  it('passes the shared input once and stacks the rest; outputs split by the batched rows', () => {
    const a = req(2, 2, 0);
    const b = req(2, 1, 100);
    const stacked = stackFeeds([a, b], layout);
    expect(plain(stacked['k']!)).toEqual({ type: 'int64', dims: [1], data: [2n] });
    expect(plain(stacked['x']!)).toEqual({ type: 'float32', dims: [3, 2], data: [0, 1, 2, 3, 100, 101] });
    const parts = splitOutputs({ top: f32([3, 2], [1, 2, 3, 4, 5, 6]) }, [a, b], layout);
    expect(parts.map((p) => plain(p['top']!))).toEqual([
      { type: 'float32', dims: [2, 2], data: [1, 2, 3, 4] },
      { type: 'float32', dims: [1, 2], data: [5, 6] },
    ]);
  });
});
