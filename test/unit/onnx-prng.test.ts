import { describe, expect, it } from 'vitest';
import { Prng } from '../../tools/onnx/prng.ts';
import { sha256Hex } from '../../tools/onnx/sha256.ts';

const take = (rng: Prng, n: number): number[] => Array.from({ length: n }, () => rng.nextUint32());

describe('Prng', () => {
  it('gives the same stream for the same seed and a different one otherwise', () => {
    expect(take(new Prng(42), 8)).toEqual(take(new Prng(42), 8));
    expect(take(new Prng(42), 8)).not.toEqual(take(new Prng(43), 8));
  });

  it('is pinned to mulberry32 (weights must not change under anyone\'s feet)', () => {
    // The widely published mulberry32 (bryc), written independently here.
    const reference = (seed: number): (() => number) => {
      let a = seed;
      return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return (t ^ (t >>> 14)) >>> 0;
      };
    };
    for (const seed of [0, 1, 42, 0xdeadbeef]) {
      const next = reference(seed);
      expect(take(new Prng(seed), 100)).toEqual(Array.from({ length: 100 }, next));
    }
    expect(new Prng(1).nextFloat()).toBe(0.6270739405881613); // the well-known first value for seed 1
  });

  it('keeps nextFloat in [0, 1) and int(n) in [0, n)', () => {
    const rng = new Prng(7);
    const floats = Array.from({ length: 10_000 }, () => rng.nextFloat());
    const ints = Array.from({ length: 10_000 }, () => rng.int(5));
    expect(floats.every((f) => f >= 0 && f < 1)).toBe(true);
    expect(new Set(ints)).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(() => rng.int(0)).toThrow(RangeError);
    expect(() => rng.int(2.5)).toThrow(RangeError);
  });

  it('draws normals with mean ~0 and variance ~1', () => {
    const xs = new Prng(9).normals(20_000);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(xs.every(Number.isFinite)).toBe(true);
  });
});

describe('sha256Hex', () => {
  it('matches the standard test vectors', () => {
    expect(sha256Hex(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
