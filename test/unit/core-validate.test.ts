/**
 * validateFeeds: bad feeds become INPUT_INVALID naming what was expected and what arrived,
 * before anything reaches ORT.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TensorInfo } from '../../src/tensor.ts';
import { validateFeeds } from '../../src/validate.ts';
import { thrown } from './helpers/catch.ts';

const INPUTS: TensorInfo[] = [
  { name: 'x', type: 'float32', dims: ['batch', 4] },
  { name: 'ids', type: 'int64', dims: [2] },
];

function goodFeeds(batch = 3): Record<string, unknown> {
  return {
    x: { type: 'float32', dims: [batch, 4], data: new Float32Array(batch * 4) },
    ids: { type: 'int64', dims: [2], data: new BigInt64Array([1n, 2n]) },
  };
}

function invalid(feeds: unknown, inputs: readonly TensorInfo[] = INPUTS, opts?: Parameters<typeof validateFeeds>[2]): string {
  const e = thrown(() => validateFeeds(feeds, inputs, opts));
  expect(e.code).toBe('INPUT_INVALID');
  return e.message;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('validateFeeds accepts', () => {
  it('feeds that match the declared inputs', () => {
    expect(() => validateFeeds(goodFeeds(), INPUTS)).not.toThrow();
  });

  it.each([0, 1, 7, 100])('any size on a dynamic (string) dim: batch %i', (batch) => {
    expect(() => validateFeeds(goodFeeds(batch), INPUTS)).not.toThrow();
  });

  it('any type for an input declared unknown, and any rank for one declared without dims', () => {
    const inputs: TensorInfo[] = [{ name: 'a', type: 'unknown', dims: [] }];
    expect(() => validateFeeds({ a: { type: 'int32', dims: [2, 3, 1], data: new Int32Array(6) } }, inputs)).not.toThrow();
  });

  it('NaN and Infinity when rejectNonFinite is off', () => {
    const feeds = goodFeeds(1);
    (feeds['x'] as { data: Float32Array }).data.set([NaN, Infinity, -Infinity, 0]);
    expect(() => validateFeeds(feeds, INPUTS)).not.toThrow();
  });

  it('float16 as raw bits in a Uint16Array', () => {
    const inputs: TensorInfo[] = [{ name: 'h', type: 'float16', dims: [2] }];
    expect(() => validateFeeds({ h: { type: 'float16', dims: [2], data: new Uint16Array([0x3c00, 0]) } }, inputs)).not.toThrow();
  });

  it('float16 as a Float16Array where the runtime has one', () => {
    const inputs: TensorInfo[] = [{ name: 'h', type: 'float16', dims: [3] }];
    const native = (globalThis as { Float16Array?: new (n: number) => { length: number } }).Float16Array;
    // Node 20 has no Float16Array: stand in a class of that name, as a browser would provide.
    class FakeFloat16Array { readonly length: number; constructor(n: number) { this.length = n; } }
    const Ctor = native ?? FakeFloat16Array;
    if (!native) {
      // Without the global, an instance of a stranger class is rejected...
      expect(invalid({ h: { type: 'float16', dims: [3], data: new FakeFloat16Array(3) } }, inputs)).toContain('FakeFloat16Array');
      vi.stubGlobal('Float16Array', FakeFloat16Array);
    }
    // ...and with it (real or stand-in) the same shape of data is accepted.
    expect(() => validateFeeds({ h: { type: 'float16', dims: [3], data: new Ctor(3) } }, inputs)).not.toThrow();
  });
});

describe('validateFeeds rejects with INPUT_INVALID', () => {
  it.each([
    ['null', null, 'got null'],
    ['an array', [], 'got Array'],
    ['a number', 3, 'got number'],
    ['a string', 'x', 'got string'],
    ['undefined', undefined, 'got undefined'],
  ])('feeds that are %s', (_label, feeds, got) => {
    const msg = invalid(feeds);
    expect(msg).toContain(got);
    expect(msg).toContain('x, ids');
  });

  it('an unknown input name, listing the model inputs', () => {
    const feeds = { ...goodFeeds(), y: { type: 'float32', dims: [1], data: new Float32Array(1) } };
    const msg = invalid(feeds);
    expect(msg).toContain("Unknown input 'y'");
    expect(msg).toContain("'x', 'ids'");
  });

  it('a missing input, naming it with its type and dims', () => {
    const feeds = goodFeeds();
    delete feeds['ids'];
    const msg = invalid(feeds);
    expect(msg).toContain("Missing input 'ids'");
    expect(msg).toContain('int64 [2]');
  });

  it('a wrong type', () => {
    const feeds = goodFeeds();
    feeds['ids'] = { type: 'int32', dims: [2], data: new Int32Array(2) };
    const msg = invalid(feeds);
    expect(msg).toContain('expected type int64');
    expect(msg).toContain('got int32');
  });

  it('an unknown type string', () => {
    const feeds = goodFeeds();
    feeds['ids'] = { type: 'string', dims: [2], data: new Int32Array(2) };
    expect(invalid(feeds)).toContain('unknown type "string"');
  });

  it('the wrong typed-array class for the type', () => {
    const feeds = goodFeeds();
    feeds['x'] = { type: 'float32', dims: [3, 4], data: new Float64Array(12) };
    const msg = invalid(feeds);
    expect(msg).toContain('needs data as Float32Array');
    expect(msg).toContain('got Float64Array');
  });

  it('a plain array instead of a typed array', () => {
    const feeds = goodFeeds(1);
    feeds['x'] = { type: 'float32', dims: [1, 4], data: [1, 2, 3, 4] };
    const msg = invalid(feeds);
    expect(msg).toContain('Float32Array');
    expect(msg).toContain('got Array');
  });

  it('float16 given as a Float32Array', () => {
    const inputs: TensorInfo[] = [{ name: 'h', type: 'float16', dims: [2] }];
    const msg = invalid({ h: { type: 'float16', dims: [2], data: new Float32Array(2) } }, inputs);
    expect(msg).toContain('Uint16Array');
    expect(msg).toContain('got Float32Array');
  });

  it('a wrong rank', () => {
    const feeds = goodFeeds();
    feeds['x'] = { type: 'float32', dims: [12], data: new Float32Array(12) };
    const msg = invalid(feeds);
    expect(msg).toContain('expected rank 2 [batch, 4]');
    expect(msg).toContain('got rank 1 [12]');
  });

  it('a wrong static dim', () => {
    const feeds = goodFeeds();
    feeds['x'] = { type: 'float32', dims: [2, 6], data: new Float32Array(12) };
    const msg = invalid(feeds);
    expect(msg).toContain('dim 1 must be 4');
    expect(msg).toContain('got 6');
  });

  it('a data length that is not the product of dims', () => {
    const feeds = goodFeeds();
    feeds['x'] = { type: 'float32', dims: [3, 4], data: new Float32Array(11) };
    const msg = invalid(feeds);
    expect(msg).toContain('need 12 elements');
    expect(msg).toContain('data has 11');
  });

  it.each([
    ['negative', [-1, 4]],
    ['fractional', [1.5, 4]],
    ['not an array', '3,4'],
  ])('%s dims', (_label, dims) => {
    const feeds = goodFeeds();
    feeds['x'] = { type: 'float32', dims, data: new Float32Array(12) };
    expect(invalid(feeds)).toContain('dims must be an array of non-negative integers');
  });

  it('a tensor that is not an object', () => {
    const feeds = goodFeeds();
    feeds['x'] = 5;
    expect(invalid(feeds)).toContain("Input 'x': expected a tensor { type, dims, data }, got number");
  });

  it('more elements than maxElements, naming both numbers', () => {
    const msg = invalid(goodFeeds(3), INPUTS, { maxElements: 13 });
    expect(msg).toContain('14 elements');
    expect(msg).toContain('cap of 13');
    expect(() => validateFeeds(goodFeeds(3), INPUTS, { maxElements: 14 })).not.toThrow();
  });

  it('the default cap of 2^26 elements', () => {
    const inputs: TensorInfo[] = [{ name: 'u', type: 'uint8', dims: ['n'] }];
    const n = 2 ** 26 + 1;
    expect(invalid({ u: { type: 'uint8', dims: [n], data: new Uint8Array(n) } }, inputs)).toContain(`cap of ${2 ** 26}`);
  });

  it.each([NaN, Infinity, -Infinity])('float32 %s when rejectNonFinite is on', (bad) => {
    const feeds = goodFeeds(1);
    (feeds['x'] as { data: Float32Array }).data.set([0, 1, bad, 2]);
    const msg = invalid(feeds, INPUTS, { rejectNonFinite: true });
    expect(msg).toContain("Input 'x'");
    expect(msg).toContain('NaN or Infinity');
  });

  // BUG: ValidateOptions.rejectNonFinite is documented as "Reject NaN / ±Infinity in float
  // inputs", but validateFeeds only scans float32 data; a float16 input carrying NaN (0x7e00) or
  // +Infinity (0x7c00) bits passes. Repro: validateFeeds({ h: { type: 'float16', dims: [2],
  // data: new Uint16Array([0x3c00, 0x7e00]) } }, [{ name: 'h', type: 'float16', dims: [2] }],
  // { rejectNonFinite: true }) does not throw.
  it('float16 NaN / ±Infinity bits when rejectNonFinite is on', () => {
    const inputs: TensorInfo[] = [{ name: 'h', type: 'float16', dims: [2] }];
    for (const bits of [0x7e00, 0x7c00, 0xfc00]) {
      const msg = invalid({ h: { type: 'float16', dims: [2], data: new Uint16Array([0x3c00, bits]) } }, inputs, { rejectNonFinite: true });
      expect(msg).toContain('NaN or Infinity');
    }
  });

  it('error details name the input and the expected and actual values', () => {
    const feeds = goodFeeds();
    feeds['x'] = { type: 'float32', dims: [2, 6], data: new Float32Array(12) };
    const e = thrown(() => validateFeeds(feeds, INPUTS));
    expect(e.details).toEqual({ input: 'x', axis: 1, expected: 4, got: 6 });
  });
});
