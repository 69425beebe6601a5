/**
 * transferablesOf: which buffers may be moved to the worker. Only buffers a tensor covers
 * whole, each once; never a view's parent buffer, never a SharedArrayBuffer.
 */
import { describe, expect, it } from 'vitest';
import type { Tensors } from '../../src/tensor.ts';
import { transferablesOf } from '../../src/transfer.ts';

describe('transferablesOf', () => {
  it('is empty for no tensors', () => {
    expect(transferablesOf({})).toEqual([]);
  });

  it('includes the buffer of each full-buffer array, in feed order', () => {
    const a = new Float32Array(4);
    const b = new Int32Array(2);
    const got = transferablesOf({ a: { type: 'float32', dims: [4], data: a }, b: { type: 'int32', dims: [2], data: b } });
    expect(got).toHaveLength(2);
    expect(got[0]).toBe(a.buffer);
    expect(got[1]).toBe(b.buffer);
  });

  it('lists a buffer once when two tensors cover the same whole buffer', () => {
    const buf = new ArrayBuffer(16);
    const feeds: Tensors = {
      f: { type: 'float32', dims: [4], data: new Float32Array(buf) },
      i: { type: 'int32', dims: [4], data: new Int32Array(buf) },
      u: { type: 'uint8', dims: [16], data: new Uint8Array(buf) },
    };
    const got = transferablesOf(feeds);
    expect(got).toEqual([buf]);
    expect(got[0]).toBe(buf);
    // postMessage throws DataCloneError on a duplicate transferable; the list must be usable as is.
    const { port1, port2 } = new MessageChannel();
    expect(() => port1.postMessage(feeds, got)).not.toThrow();
    port1.close();
    port2.close();
  });

  it.each([
    ['an offset view', () => new Float32Array(new ArrayBuffer(32), 4, 4)],
    ['a view over a prefix', () => new Float32Array(new ArrayBuffer(32), 0, 4)],
    ['a subarray', () => new Float32Array(8).subarray(2, 6)],
  ])('excludes %s (other views may share its buffer)', (_label, make) => {
    const data = make();
    expect(transferablesOf({ x: { type: 'float32', dims: [4], data } })).toEqual([]);
  });

  it('excludes a SharedArrayBuffer even when the array covers it whole', () => {
    const data = new Float32Array(new SharedArrayBuffer(16)) as unknown as Float32Array;
    expect(transferablesOf({ x: { type: 'float32', dims: [4], data } })).toEqual([]);
  });

  it('mixes: keeps only the whole, unshared ones', () => {
    const whole = new Uint8Array(3);
    const got = transferablesOf({
      a: { type: 'uint8', dims: [3], data: whole },
      b: { type: 'float32', dims: [2], data: new Float32Array(4).subarray(0, 2) },
      c: { type: 'int32', dims: [1], data: new Int32Array(new SharedArrayBuffer(4)) as unknown as Int32Array },
    });
    expect(got).toEqual([whole.buffer]);
  });
});
