/**
 * fast-hash: pinned digests (a silent change would be a bug worth seeing), alignment
 * independence, sensitivity to every byte and to boundaries, 53-bit range, few collisions.
 */
import { describe, expect, it } from 'vitest';
import { FastHasher, fastHash } from '../../src/caches/fast-hash.ts';

const enc = new TextEncoder();

describe('fastHash', () => {
  it('is stable (pinned digests)', () => {
    expect(fastHash(new Uint8Array(0))).toBe(8239366995623232);
    expect(fastHash(enc.encode('abc'))).toBe(767880622239497);
    expect(fastHash(enc.encode('hello world, inpage'))).toBe(7228526883581400);
    expect(fastHash(Float32Array.from([1, 2, 3]))).toBe(3943349112335592);
    expect(fastHash(enc.encode('abc'), 42)).toBe(3161741100768084);
    expect(new FastHasher().reset().string('model').number(3).digest()).toBe(291004426816495);
  });

  it('gives the same digest for the same bytes at any alignment and in any view type', () => {
    const bytes = enc.encode('the quick brown fox jumps over 13 lazy dogs');
    const want = fastHash(bytes);
    for (let offset = 0; offset < 8; offset++) {
      const buf = new Uint8Array(bytes.length + 16);
      buf.set(bytes, offset);
      expect(fastHash(buf.subarray(offset, offset + bytes.length)), `offset ${offset}`).toBe(want);
    }
    const f = Float32Array.from([0.5, -2, 3e9, Number.NaN]);
    expect(fastHash(f)).toBe(fastHash(new Uint8Array(f.buffer)));
    expect(fastHash(f)).toBe(fastHash(new DataView(f.buffer)));
  });

  it('changes with any single bit, with the length, and with string boundaries', () => {
    const base = new Uint8Array(37).map((_, i) => i * 7);
    const h = fastHash(base);
    const seen = new Set([h]);
    for (let i = 0; i < base.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const v = base.slice();
        v[i]! ^= 1 << bit;
        seen.add(fastHash(v));
      }
    }
    expect(seen.size).toBe(1 + 37 * 8);
    expect(fastHash(new Uint8Array(4))).not.toBe(fastHash(new Uint8Array(5)));
    const split = (a: string, b: string): number => new FastHasher().reset().string(a).string(b).digest();
    expect(split('ab', 'c')).not.toBe(split('a', 'bc'));
  });

  it('stays in [0, 2^53) and has no collisions over 100k small inputs', () => {
    const seen = new Set<number>();
    let outOfRange = 0;
    const v = new Uint32Array(2);
    for (let i = 0; i < 100_000; i++) {
      v[0] = i;
      v[1] = i * 2654435761;
      const h = fastHash(v);
      if (!Number.isSafeInteger(h) || h < 0) outOfRange++;
      seen.add(h);
    }
    expect(outOfRange).toBe(0);
    expect(seen.size).toBe(100_000);
  });

  it('hashes an empty view over a detached buffer without throwing', () => {
    const data = new Float32Array(4);
    structuredClone(data.buffer, { transfer: [data.buffer] });
    expect(fastHash(data)).toBe(fastHash(new Uint8Array(0)));
  });
});
