/**
 * Every test model must match its plain-JS reference in onnxruntime-node (CPU EP) and in
 * onnxruntime-web's wasm EP (the runtime the SDK ships; it runs in Node too): floats within 1e-5
 * (relative above 1), integers, bools and float16 bits exactly.
 */
import * as ort from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32 } from '../../tools/onnx/float16.ts';
import { EMBED_VOCAB, createMlp, getTestModel, testModels, type TestTensor, type TestTensors } from '../../tools/models/index.ts';

const TOL = 1e-5;

function toOrt(feeds: TestTensors): Record<string, ort.Tensor> {
  return Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)]));
}

type Outputs = Record<string, ort.Tensor>;

async function run(name: string, feeds: TestTensors): Promise<Outputs> {
  const session = await ort.InferenceSession.create(getTestModel(name).bytes());
  try {
    return await session.run(toOrt(feeds));
  } finally {
    await session.release();
  }
}

// One thread: Node has no crossOriginIsolated worker pool to speak of, and results do not depend on it.
ortWeb.env.wasm.numThreads = 1;

async function runWeb(name: string, feeds: TestTensors): Promise<Outputs> {
  const session = await ortWeb.InferenceSession.create(getTestModel(name).bytes(), { executionProviders: ['wasm'] });
  try {
    const webFeeds = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ortWeb.Tensor(t.type, t.data, t.dims)]));
    return await session.run(webFeeds);
  } finally {
    await session.release();
  }
}

/** Both runtimes share onnxruntime-common 1.30.0, so their tensors have one type. */
const runtimes: [string, (name: string, feeds: TestTensors) => Promise<Outputs>][] = [
  ['onnxruntime-node', run],
  ['onnxruntime-web wasm', runWeb],
];

function must(t: TestTensor | undefined): TestTensor {
  if (t === undefined) throw new Error('expected a tensor');
  return t;
}

/** Describes the first mismatch between `got` and `want`, or returns undefined when they match. */
function mismatch(name: string, got: ort.Tensor | undefined, want: TestTensor): string | undefined {
  if (got === undefined) return `${name}: missing from ORT outputs`;
  if (got.type !== want.type) return `${name}: type ${got.type}, want ${want.type}`;
  if (got.dims.join() !== want.dims.join()) return `${name}: dims [${got.dims.join()}], want [${want.dims.join()}]`;
  const g = got.data;
  const w = want.data;
  if (typeof g === 'string' || !('length' in g) || g.length !== w.length) return `${name}: ${String(g.length)} elements, want ${w.length}`;
  for (let i = 0; i < w.length; i++) {
    const a = g[i];
    const b = w[i];
    if (want.type === 'float32') {
      const x = Number(a);
      const y = Number(b);
      if (!(Math.abs(x - y) <= TOL * Math.max(1, Math.abs(y)))) return `${name}[${i}] = ${x}, want ${y}`;
    } else if (a !== b) {
      const show = (v: unknown): string => (want.type === 'float16' ? `${float16BitsToFloat32(Number(v))}` : String(v));
      return `${name}[${i}] = ${show(a)}, want ${show(b)}`;
    }
  }
  return undefined;
}

describe('onnxruntime-node loads', () => {
  it('has a CPU backend', () => {
    expect(ort.listSupportedBackends().map((b) => b.name)).toContain('cpu');
  });
});

describe.each(testModels.map((m) => [m.name, m] as const))('%s', (name, model) => {
  it('declares the inputs and outputs of its specs', async () => {
    const session = await ort.InferenceSession.create(model.bytes());
    expect(session.inputNames).toEqual(model.inputSpecs.map((s) => s.name));
    expect(session.outputNames).toEqual(model.outputSpecs.map((s) => s.name));
    await session.release();
  });

  describe.each(runtimes)('in %s', (_runtime, runIn) => {
    it.each([
      [1, 1],
      [3, 2],
      [8, 3],
    ])('matches the JS reference for batch %i (input seed %i)', async (batch, seed) => {
      const feeds = model.inputs(batch, seed);
      const want = model.reference(feeds);
      const got = await runIn(name, feeds);
      expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
      const problems = Object.entries(want)
        .map(([k, t]) => mismatch(k, got[k], t))
        .filter((p) => p !== undefined);
      expect(problems).toEqual([]);
      // A dims check per output guards against silent broadcasting across the batch.
      for (const t of Object.values(want)) expect(t.dims[0]).toBe(batch);
    });
  });
});

describe('model-specific behaviour', () => {
  it('mlp rows are probability distributions', () => {
    const m = getTestModel('mlp');
    const probs = m.reference(m.inputs(4, 5))['probs']?.data;
    if (!(probs instanceof Float32Array)) throw new Error('probs must be a Float32Array');
    for (let r = 0; r < 4; r++) expect(probs.subarray(r * 8, r * 8 + 8).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('embed-topk accepts any sequence length and matches the reference', async () => {
    const m = getTestModel('embed-topk');
    for (const seq of [1, 11]) {
      const ids = new BigInt64Array(2 * seq).map((_, i) => BigInt((i * 37) % EMBED_VOCAB));
      const feeds: TestTensors = { ids: { type: 'int64', dims: [2, seq], data: ids } };
      const got = await run('embed-topk', feeds);
      const want = m.reference(feeds);
      expect(Object.entries(want).map(([k, t]) => mismatch(k, got[k], t))).toEqual([undefined, undefined]);
    }
  });

  it('the comparison catches wrong weights (a reference of another seed does not match)', async () => {
    const feeds = getTestModel('mlp').inputs(2, 1);
    const got = await run('mlp', feeds);
    const other = createMlp({ seed: 99 }).reference(feeds);
    expect(mismatch('probs', got['probs'], must(other['probs']))).toMatch(/^probs\[0\]/);
  });

  it('references reject bad inputs with a useful message', () => {
    expect(() => getTestModel('mlp').reference({})).toThrow(/input 'x' is missing/);
    expect(() => getTestModel('mlp').reference({ x: { type: 'int32', dims: [1, 64], data: new Int32Array(64) } })).toThrow(/must be float32/);
    expect(() => getTestModel('embed-topk').reference({ ids: { type: 'int64', dims: [1, 1], data: new BigInt64Array([200n]) } })).toThrow(/outside/);
    expect(() => getTestModel('nope')).toThrow(/known: mlp, embed-topk, multi-io, big-mlp/);
  });
});
