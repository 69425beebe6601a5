/**
 * A tiny GPT-2-shaped decoder (seeded weights, a few hundred thousand parameters) as ONNX with
 * past key/values in the layout transformers.js and Optimum export (`input_ids`,
 * `attention_mask`, `position_ids`, `past_key_values.{i}.key|value` → `logits`,
 * `present.{i}.key|value`), and a plain-JS reference of the same weights.
 *
 * Block (pre-LN, as GPT-2): x += Attn(LN₁(x)); x += MLP(LN₂(x)); logits = LN_f(x) · wteᵀ (tied).
 * Attention is causal over past + new positions and masked by `attention_mask`; the MLP uses
 * GPT-2's tanh GELU. The same graph runs with an empty past (a whole sequence, no cache) or a
 * filled one (one new token per step), which is how the tests check "with and without the KV cache".
 */
import { GraphBuilder } from '../onnx/graph.ts';
import { Prng } from '../onnx/prng.ts';

/** Sizes of a tiny GPT. */
export interface GptConfig {
  vocab: number;
  hidden: number;
  heads: number;
  layers: number;
  /** Longest sequence (position table rows): the model's context. */
  positions: number;
  seed: number;
}

interface Layer {
  ln1g: Float32Array; ln1b: Float32Array;
  wq: Float32Array; bq: Float32Array; wk: Float32Array; bk: Float32Array; wv: Float32Array; bv: Float32Array;
  wo: Float32Array; bo: Float32Array;
  ln2g: Float32Array; ln2b: Float32Array;
  w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array;
}

/** The weights (row-major, float32). */
export interface GptWeights {
  cfg: GptConfig;
  wte: Float32Array;
  wpe: Float32Array;
  layers: Layer[];
  lnfg: Float32Array;
  lnfb: Float32Array;
}

const EPS = 1e-5;
const NEG = -1e9;

/** Seeded weights; `logitScale` spreads the logits so greedy choices have clear margins. */
export function initGpt(cfg: GptConfig): GptWeights {
  const { vocab: V, hidden: H, positions: P } = cfg;
  const rng = new Prng(cfg.seed);
  const ones = (n: number, s: number): Float32Array => Float32Array.from(rng.normals(n, s), (x) => 1 + x);
  const s = 1 / Math.sqrt(H);
  const layers = Array.from({ length: cfg.layers }, (): Layer => ({
    ln1g: ones(H, 0.1), ln1b: rng.normals(H, 0.1),
    wq: rng.normals(H * H, s), bq: rng.normals(H, 0.05), wk: rng.normals(H * H, s), bk: rng.normals(H, 0.05),
    wv: rng.normals(H * H, s), bv: rng.normals(H, 0.05), wo: rng.normals(H * H, s * 0.7), bo: rng.normals(H, 0.05),
    ln2g: ones(H, 0.1), ln2b: rng.normals(H, 0.1),
    w1: rng.normals(H * 4 * H, s), b1: rng.normals(4 * H, 0.05), w2: rng.normals(4 * H * H, s * 0.5), b2: rng.normals(H, 0.05),
  }));
  return { cfg, wte: rng.normals(V * H, 0.5), wpe: rng.normals(P * H, 0.2), layers, lnfg: ones(H, 0.1), lnfb: rng.normals(H, 0.1) };
}

/** Parameters in the model. */
export function parameterCount(w: GptWeights): number {
  let n = w.wte.length + w.wpe.length + w.lnfg.length + w.lnfb.length;
  for (const l of w.layers) for (const a of Object.values(l)) n += a.length;
  return n;
}

/** The causal bias table: 0 where key ≤ query, else -1e9 ([positions, positions]). */
function causalTable(P: number): Float32Array {
  const t = new Float32Array(P * P);
  for (let i = 0; i < P; i++) for (let j = i + 1; j < P; j++) t[i * P + j] = NEG;
  return t;
}

/**
 * The model as ONNX bytes (opset 17). Deterministic.
 *
 * @example const bytes = gptOnnx(initGpt(TINY_GPT_CONFIG));
 */
export function gptOnnx(w: GptWeights): Uint8Array {
  const { vocab: V, hidden: H, heads: NH, layers: L, positions: P } = w.cfg;
  const HD = H / NH;
  const g = new GraphBuilder('tiny_gpt2')
    .input('input_ids', 'int64', ['batch_size', 'sequence_length'])
    .input('attention_mask', 'int64', ['batch_size', 'total_sequence_length'])
    .input('position_ids', 'int64', ['batch_size', 'sequence_length']);
  for (let l = 0; l < L; l++) {
    g.input(`past_key_values.${l}.key`, 'float32', ['batch_size', NH, 'past_sequence_length', HD]);
    g.input(`past_key_values.${l}.value`, 'float32', ['batch_size', NH, 'past_sequence_length', HD]);
  }
  g.initializer('wte', 'float32', [V, H], w.wte).initializer('wpe', 'float32', [P, H], w.wpe)
    .initializer('causal', 'float32', [P, P], causalTable(P))
    .initializer('heads_shape', 'int64', [4], BigInt64Array.of(0n, 0n, BigInt(NH), BigInt(HD)))
    .initializer('merge_shape', 'int64', [3], BigInt64Array.of(0n, 0n, BigInt(H)))
    .initializer('zero_i', 'int64', [1], BigInt64Array.of(0n))
    .initializer('axes01', 'int64', [2], BigInt64Array.of(0n, 1n))
    .initializer('axes12', 'int64', [2], BigInt64Array.of(1n, 2n))
    .initializer('one_f', 'float32', [], Float32Array.of(1))
    .initializer('neg_f', 'float32', [], Float32Array.of(NEG))
    .initializer('scale', 'float32', [], Float32Array.of(1 / Math.sqrt(HD)))
    .initializer('half', 'float32', [], Float32Array.of(0.5))
    .initializer('gelu_c', 'float32', [], Float32Array.of(Math.sqrt(2 / Math.PI)))
    .initializer('gelu_k', 'float32', [], Float32Array.of(0.044715))
    .node('Gather', ['wte', 'input_ids'], ['tok_e'], { axis: 0 })
    .node('Gather', ['wpe', 'position_ids'], ['pos_e'], { axis: 0 })
    .node('Add', ['tok_e', 'pos_e'], ['h_0'])
    // Bias shared by every layer: causal rows [S−T, S) of the table, plus the padding mask.
    .node('Shape', ['attention_mask'], ['total_len'], { start: 1, end: 2 })
    .node('Shape', ['input_ids'], ['new_len'], { start: 1, end: 2 })
    .node('Sub', ['total_len', 'new_len'], ['past_len'])
    .node('Concat', ['past_len', 'zero_i'], ['c_starts'], { axis: 0 })
    .node('Concat', ['total_len', 'total_len'], ['c_ends'], { axis: 0 })
    .node('Slice', ['causal', 'c_starts', 'c_ends', 'axes01'], ['causal_bias'])
    .node('Cast', ['attention_mask'], ['mask_f'], { to: 1 })
    .node('Sub', ['one_f', 'mask_f'], ['mask_inv'])
    .node('Mul', ['mask_inv', 'neg_f'], ['mask_neg'])
    .node('Unsqueeze', ['mask_neg', 'axes12'], ['mask_bias']);
  const heads = (x: string, out: string): void => {
    g.node('Reshape', [x, 'heads_shape'], [`${out}_r`]).node('Transpose', [`${out}_r`], [out], { perm: [0, 2, 1, 3] });
  };
  const ln = (x: string, gamma: string, beta: string, out: string): void => {
    g.node('LayerNormalization', [x, gamma, beta], [out], { axis: -1, epsilon: EPS });
  };
  for (let l = 0; l < L; l++) {
    const lw = w.layers[l]!;
    const p = `l${l}_`;
    const init = (name: string, dims: number[], data: Float32Array): string => { g.initializer(p + name, 'float32', dims, data); return p + name; };
    const x = `h_${l}`;
    ln(x, init('ln1g', [H], lw.ln1g), init('ln1b', [H], lw.ln1b), `${p}a`);
    for (const [n, wt, b] of [['q', lw.wq, lw.bq], ['k', lw.wk, lw.bk], ['v', lw.wv, lw.bv]] as const) {
      g.node('MatMul', [`${p}a`, init(`w${n}`, [H, H], wt)], [`${p}${n}_m`]).node('Add', [`${p}${n}_m`, init(`b${n}`, [H], b)], [`${p}${n}`]);
      heads(`${p}${n}`, `${p}${n}h`);
    }
    g.node('Concat', [`past_key_values.${l}.key`, `${p}kh`], [`present.${l}.key`], { axis: 2 })
      .node('Concat', [`past_key_values.${l}.value`, `${p}vh`], [`present.${l}.value`], { axis: 2 })
      .node('Transpose', [`present.${l}.key`], [`${p}kt`], { perm: [0, 1, 3, 2] })
      .node('MatMul', [`${p}qh`, `${p}kt`], [`${p}s_raw`])
      .node('Mul', [`${p}s_raw`, 'scale'], [`${p}s_scaled`])
      .node('Add', [`${p}s_scaled`, 'causal_bias'], [`${p}s_causal`])
      .node('Add', [`${p}s_causal`, 'mask_bias'], [`${p}s`])
      .node('Softmax', [`${p}s`], [`${p}attn`], { axis: -1 })
      .node('MatMul', [`${p}attn`, `present.${l}.value`], [`${p}ctx_h`])
      .node('Transpose', [`${p}ctx_h`], [`${p}ctx_t`], { perm: [0, 2, 1, 3] })
      .node('Reshape', [`${p}ctx_t`, 'merge_shape'], [`${p}ctx`])
      .node('MatMul', [`${p}ctx`, init('wo', [H, H], lw.wo)], [`${p}o_m`])
      .node('Add', [`${p}o_m`, init('bo', [H], lw.bo)], [`${p}o`])
      .node('Add', [x, `${p}o`], [`${p}x2`]);
    ln(`${p}x2`, init('ln2g', [H], lw.ln2g), init('ln2b', [H], lw.ln2b), `${p}b`);
    g.node('MatMul', [`${p}b`, init('w1', [H, 4 * H], lw.w1)], [`${p}f_m`])
      .node('Add', [`${p}f_m`, init('b1', [4 * H], lw.b1)], [`${p}f`])
      // GELU (tanh form): 0.5·f·(1 + tanh(√(2/π)·(f + 0.044715·f³)))
      .node('Mul', [`${p}f`, `${p}f`], [`${p}f2`])
      .node('Mul', [`${p}f2`, `${p}f`], [`${p}f3`])
      .node('Mul', [`${p}f3`, 'gelu_k'], [`${p}f3k`])
      .node('Add', [`${p}f`, `${p}f3k`], [`${p}inner`])
      .node('Mul', [`${p}inner`, 'gelu_c'], [`${p}inner_c`])
      .node('Tanh', [`${p}inner_c`], [`${p}th`])
      .node('Add', [`${p}th`, 'one_f'], [`${p}th1`])
      .node('Mul', [`${p}f`, `${p}th1`], [`${p}gf`])
      .node('Mul', [`${p}gf`, 'half'], [`${p}gelu`])
      .node('MatMul', [`${p}gelu`, init('w2', [4 * H, H], lw.w2)], [`${p}m_m`])
      .node('Add', [`${p}m_m`, init('b2', [H], lw.b2)], [`${p}m`])
      .node('Add', [`${p}x2`, `${p}m`], [`h_${l + 1}`]);
  }
  g.initializer('lnfg', 'float32', [H], w.lnfg).initializer('lnfb', 'float32', [H], w.lnfb);
  ln(`h_${L}`, 'lnfg', 'lnfb', 'h_f');
  g.node('Transpose', ['wte'], ['wte_t'], { perm: [1, 0] })
    .node('MatMul', ['h_f', 'wte_t'], ['logits'])
    .output('logits', 'float32', ['batch_size', 'sequence_length', V]);
  for (let l = 0; l < L; l++) {
    g.output(`present.${l}.key`, 'float32', ['batch_size', NH, 'total_sequence_length', HD]);
    g.output(`present.${l}.value`, 'float32', ['batch_size', NH, 'total_sequence_length', HD]);
  }
  return g.toBytes({ producer: 'inpage tools/gpt', metadata: { format: 'inpage-tiny-gpt2', seed: String(w.cfg.seed) } });
}

/** Per layer, per head, per position: key and value vectors (what the KV cache holds). */
export interface RefCache {
  keys: Float64Array[][][];
  values: Float64Array[][][];
  length: number;
}

function layerNorm(x: ArrayLike<number>, gamma: Float32Array, beta: Float32Array): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i]! - mean) ** 2;
  const inv = 1 / Math.sqrt(v / n + EPS);
  return Float64Array.from({ length: n }, (_, i) => (x[i]! - mean) * inv * gamma[i]! + beta[i]!);
}

function affine(x: ArrayLike<number>, w: Float32Array, b: Float32Array | undefined, cols: number): Float64Array {
  const out = new Float64Array(cols);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    for (let j = 0; j < cols; j++) out[j]! += xi * w[i * cols + j]!;
  }
  if (b) for (let j = 0; j < cols; j++) out[j]! += b[j]!;
  return out;
}

const gelu = (f: number): number => 0.5 * f * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (f + 0.044715 * f ** 3)));

/** The plain-JS model: the same arithmetic as the graph, in float64. */
export class GptReference {
  constructor(readonly w: GptWeights) {}

  /** An empty cache. */
  emptyCache(): RefCache {
    const { layers, heads } = this.w.cfg;
    const mk = (): Float64Array[][][] => Array.from({ length: layers }, () => Array.from({ length: heads }, () => []));
    return { keys: mk(), values: mk(), length: 0 };
  }

  /** Runs `ids` after what `cache` holds (extending it); returns the logits of every new position. */
  forward(ids: readonly number[], cache: RefCache): Float64Array[] {
    const { hidden: H, heads: NH, vocab: V } = this.w.cfg;
    const HD = H / NH;
    const w = this.w;
    const start = cache.length;
    let xs = ids.map((t, i) => Float64Array.from({ length: H }, (_, d) => w.wte[t * H + d]! + w.wpe[(start + i) * H + d]!));
    w.layers.forEach((lw, l) => {
      const a = xs.map((x) => layerNorm(x, lw.ln1g, lw.ln1b));
      const q = a.map((r) => affine(r, lw.wq, lw.bq, H));
      const k = a.map((r) => affine(r, lw.wk, lw.bk, H));
      const v = a.map((r) => affine(r, lw.wv, lw.bv, H));
      for (let h = 0; h < NH; h++) {
        for (let i = 0; i < ids.length; i++) {
          cache.keys[l]![h]!.push(k[i]!.slice(h * HD, (h + 1) * HD));
          cache.values[l]![h]!.push(v[i]!.slice(h * HD, (h + 1) * HD));
        }
      }
      xs = xs.map((x, i) => {
        const ctx = new Float64Array(H);
        const upTo = start + i;
        for (let h = 0; h < NH; h++) {
          const qh = q[i]!.subarray(h * HD, (h + 1) * HD);
          const scores: number[] = [];
          for (let j = 0; j <= upTo; j++) {
            const kj = cache.keys[l]![h]![j]!;
            let s = 0;
            for (let d = 0; d < HD; d++) s += qh[d]! * kj[d]!;
            scores.push(s / Math.sqrt(HD));
          }
          const m = Math.max(...scores);
          const e = scores.map((s) => Math.exp(s - m));
          const z = e.reduce((p, c) => p + c, 0);
          e.forEach((ej, j) => { const vj = cache.values[l]![h]![j]!; for (let d = 0; d < HD; d++) ctx[h * HD + d]! += (ej / z) * vj[d]!; });
        }
        const o = affine(ctx, lw.wo, lw.bo, H);
        const x2 = x.map((xv, d) => xv + o[d]!);
        const f = affine(layerNorm(x2, lw.ln2g, lw.ln2b), lw.w1, lw.b1, 4 * H).map(gelu);
        const m2 = affine(f, lw.w2, lw.b2, H);
        return x2.map((xv, d) => xv + m2[d]!);
      });
    });
    cache.length += ids.length;
    return xs.map((x) => {
      const hf = layerNorm(x, w.lnfg, w.lnfb);
      const logits = new Float64Array(V);
      for (let t = 0; t < V; t++) {
        let s = 0;
        for (let d = 0; d < H; d++) s += hf[d]! * w.wte[t * H + d]!;
        logits[t] = s;
      }
      return logits;
    });
  }

  /**
   * Greedy decoding: up to `maxNew` tokens, stopping after an `eos` id. With `useCache` each step
   * runs one token against the cache; without it every step re-runs the whole sequence. Also
   * returns the smallest top-1 − top-2 logit margin seen (how safe an exact comparison is).
   */
  greedy(prompt: readonly number[], maxNew: number, opts: { useCache?: boolean; eos?: readonly number[] } = {}): { tokens: number[]; minMargin: number } {
    const eos = new Set(opts.eos ?? []);
    const seq = [...prompt];
    const out: number[] = [];
    let minMargin = Infinity;
    let cache = this.emptyCache();
    let next: readonly number[] = prompt;
    for (let step = 0; step < maxNew && seq.length < this.w.cfg.positions; step++) {
      if (opts.useCache === false) { cache = this.emptyCache(); next = seq; }
      const logits = this.forward(next, cache).at(-1)!;
      let best = 0;
      for (let t = 1; t < logits.length; t++) if (logits[t]! > logits[best]!) best = t;
      let second = -Infinity;
      for (let t = 0; t < logits.length; t++) if (t !== best && logits[t]! > second) second = logits[t]!;
      minMargin = Math.min(minMargin, logits[best]! - second);
      out.push(best);
      seq.push(best);
      next = [best];
      if (eos.has(best)) break;
    }
    return { tokens: out, minMargin };
  }
}
