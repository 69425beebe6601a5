/**
 * The exported recommender graph against its JS reference, in onnxruntime-node (the same ORT core
 * as the browser's wasm backend): indices exact, scores within 1e-5 (relative for large scores).
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Prng } from '../../tools/onnx/prng.ts';
import { exportRecommender, GRAPH_NAMES } from '../../tools/train/export-onnx.ts';
import { referenceRun, type ScorerWeights } from '../../tools/train/reference.ts';

function randomWeights(seed: number, items: number, dim: number, shrink: number, recent = 0): ScorerWeights {
  const rng = new Prng(seed);
  const w: ScorerWeights = {
    items,
    dim,
    inVec: rng.normals(items * dim, 0.5),
    outVec: rng.normals(items * dim, 0.5),
    itemBias: Float32Array.from({ length: items }, () => 0.75 * Math.log1p(rng.int(500))),
    shrink,
  };
  if (recent > 0) {
    // Followers with repeats across rows (so several recent steps add to one item) and padding.
    const width = 6;
    w.transitions = {
      width,
      index: Int32Array.from({ length: items * width }, (_, e) => (e % width === width - 1 ? Math.floor(e / width) : rng.int(Math.min(items, 40)))),
      strength: Float32Array.from({ length: items * width }, (_, e) => (e % width === width - 1 ? 0 : 4 * rng.nextFloat())),
      recency: Float32Array.from({ length: recent }, (_, r) => 3 * Math.pow(0.5, recent - 1 - r)),
    };
  }
  return w;
}

interface Case {
  batch: number;
  length: number;
  items: BigInt64Array;
  weights: Float32Array;
  bias: Float32Array;
  biasRows: number;
  k: number;
}

function randomCase(seed: number, w: ScorerWeights, batch: number, length: number, biasRows: number, k: number): Case {
  const rng = new Prng(seed);
  const items = BigInt64Array.from({ length: batch * length }, () => BigInt(rng.int(w.items)));
  // Some zero weights (padding) and a range of event/recency weights.
  const weights = Float32Array.from({ length: batch * length }, () => (rng.nextFloat() < 0.25 ? 0 : rng.nextFloat() * 3));
  const bias = Float32Array.from({ length: biasRows * w.items }, () => (rng.nextFloat() < 0.3 ? -1e9 : 0));
  return { batch, length, items, weights, bias, biasRows, k };
}

async function runOnnx(bytes: Uint8Array, c: Case): Promise<{ indices: BigInt64Array; scores: Float32Array }> {
  const session = await ort.InferenceSession.create(bytes);
  const N = GRAPH_NAMES.inputs;
  const out = await session.run({
    [N.items]: new ort.Tensor('int64', c.items, [c.batch, c.length]),
    [N.weights]: new ort.Tensor('float32', c.weights, [c.batch, c.length]),
    [N.bias]: new ort.Tensor('float32', c.bias, [c.biasRows, c.bias.length / c.biasRows]),
    [N.k]: new ort.Tensor('int64', BigInt64Array.of(BigInt(c.k)), [1]),
  });
  await session.release();
  return { indices: out[GRAPH_NAMES.outputs.indices]!.data as BigInt64Array, scores: out[GRAPH_NAMES.outputs.scores]!.data as Float32Array };
}

describe('recommender.onnx vs the JS reference (onnxruntime-node)', () => {
  const cases: [string, number, number, number, number, number, number][] = [
    // name, batch, history, bias rows, k, shrink, recent steps with transitions
    ['one visitor, [1, N] bias', 1, 20, 1, 10, 1, 0],
    ['a batch of 4 with per-row bias', 4, 20, 4, 25, 1, 0],
    ['a batch of 3 sharing a broadcast [1, N] bias', 3, 7, 1, 10, 0, 0],
    ['with transitions from the last 3 slots, padded rows masked', 4, 20, 4, 25, 1, 3],
    ['with transitions, broadcast bias, one recent slot', 3, 7, 1, 10, 1, 1],
    // The engine's warm-up and measurement feed dynamic dims as 1: fewer history slots than R.
    ['with transitions from 3 slots, a history of 1 slot', 2, 1, 1, 10, 1, 3],
    ['with transitions from 3 slots, a history of 2 slots', 1, 2, 1, 10, 1, 3],
  ];
  for (const [name, batch, length, biasRows, k, shrink, recent] of cases) {
    it(name, async () => {
      const w = randomWeights(11 + batch, 300, 16, shrink, recent);
      const c = randomCase(99 + batch, w, batch, length, biasRows, k);
      const onnx = await runOnnx(exportRecommender(w), c);
      const ref = referenceRun(w, batch, length, c.items, c.weights, k, c.bias);
      expect(Array.from(onnx.indices)).toEqual(Array.from(ref.indices));
      for (let i = 0; i < ref.scores.length; i++) {
        expect(Math.abs(onnx.scores[i]! - ref.scores[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref.scores[i]!)));
      }
    });
  }

  it('an all-zero history scores by the prior alone (no NaN from 0/0)', async () => {
    const w = randomWeights(5, 120, 8, 0, 3);
    const c: Case = { batch: 1, length: 4, items: new BigInt64Array(4), weights: new Float32Array(4), bias: new Float32Array(120), biasRows: 1, k: 5 };
    const onnx = await runOnnx(exportRecommender(w), c);
    const ref = referenceRun(w, 1, 4, c.items, c.weights, 5, c.bias);
    expect(Array.from(onnx.indices)).toEqual(Array.from(ref.indices));
    expect(Array.from(onnx.scores).every(Number.isFinite)).toBe(true);
  });

  it('writes identical bytes for identical weights', () => {
    const a = exportRecommender(randomWeights(3, 50, 8, 1));
    const b = exportRecommender(randomWeights(3, 50, 8, 1));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});
