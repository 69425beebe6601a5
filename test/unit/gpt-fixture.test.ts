/**
 * The tiny GPT fixture (tools/gpt): its byte-level BPE against transformers.js' own tokenizer,
 * the ONNX graph against the plain-JS reference in onnxruntime-node with and without the KV cache,
 * and transformers.js' own greedy `generate()` in Node against the reference's tokens.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHfFolder } from '../../tools/encoder/hf-layout.ts';
import { chatml, GPT_CORPUS, tinyGpt } from '../../tools/gpt/fixture.ts';

const gpt = tinyGpt();
const cfg = gpt.weights.cfg;
const HD = cfg.hidden / cfg.heads;
let dir = '';

const AWKWARD = ['', ' ', 'Héllo Wörld — naïve café', '日本語のテント 2人用', '-10°C sleeping bag!!!', "it's a 'quoted' \"thing\"", 'emoji ⛺🏕️ tent', 'tab\tnew\nline  two  spaces ', '<|im_start|>user\nhi<|im_end|>\n'];
const PROMPTS = ['A light tent', 'Orders ship within', chatml([{ role: 'system', content: 'You help.' }, { role: 'user', content: 'Can I return boots?' }])];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-gpt-'));
  await writeHfFolder(join(dir, gpt.id), gpt.files);
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = `${dir}/`;
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** Runs the ONNX graph on `ids` after `past` (per layer key/value tensors); returns last logits and presents. */
async function step(session: ort.InferenceSession, ids: number[], past: ort.Tensor[] | undefined, pastLen: number): Promise<{ logits: Float32Array; present: ort.Tensor[] }> {
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(pastLen + ids.length).fill(1n), [1, pastLen + ids.length]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map((_, i) => BigInt(pastLen + i))), [1, ids.length]),
  };
  for (let l = 0; l < cfg.layers; l++) {
    feeds[`past_key_values.${l}.key`] = past?.[2 * l] ?? new ort.Tensor('float32', new Float32Array(0), [1, cfg.heads, 0, HD]);
    feeds[`past_key_values.${l}.value`] = past?.[2 * l + 1] ?? new ort.Tensor('float32', new Float32Array(0), [1, cfg.heads, 0, HD]);
  }
  const out = await session.run(feeds);
  const logits = out['logits']!.data as Float32Array;
  const present = Array.from({ length: cfg.layers }, (_, l) => [out[`present.${l}.key`]!, out[`present.${l}.value`]!]).flat();
  return { logits: logits.slice(logits.length - cfg.vocab), present };
}

const argmax = (xs: ArrayLike<number>): number => { let b = 0; for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[b]!) b = i; return b; };

describe('tiny GPT fixture', () => {
  it('is GPT-2 shaped with a few hundred thousand parameters', () => {
    expect(gpt.params).toBeGreaterThan(150_000);
    expect(gpt.params).toBeLessThan(600_000);
    expect(cfg.vocab).toBe(gpt.bpe.tokens.length);
  });

  it('tokenizes exactly as transformers.js reading our tokenizer.json, and decodes back', async () => {
    const tok = await AutoTokenizer.from_pretrained(gpt.id);
    for (const t of [...GPT_CORPUS, ...AWKWARD, ...PROMPTS]) {
      const want = (tok(t, { add_special_tokens: false }) as { input_ids: { tolist(): bigint[][] } }).input_ids.tolist()[0]!.map(Number);
      expect(gpt.encode(t), JSON.stringify(t)).toEqual(want);
      if (want.length > 0) {
        expect(gpt.decode(want, false)).toBe(tok.decode(want, { skip_special_tokens: false }));
        expect(gpt.decode(want, true)).toBe(tok.decode(want, { skip_special_tokens: true }));
      }
    }
    // The chat template renders as our JS twin.
    const messages = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi!' }];
    expect(tok.apply_chat_template(messages, { tokenize: false, add_generation_prompt: true })).toBe(chatml(messages));
  });

  it('ONNX (onnxruntime-node) equals the reference with and without the KV cache; greedy margins are safe', async () => {
    const session = await ort.InferenceSession.create(gpt.files['onnx/model.onnx'] as Uint8Array);
    try {
      for (const text of PROMPTS) {
        const prompt = gpt.encode(text);
        const want = gpt.reference.greedy(prompt, 24, { eos: gpt.eos });
        expect(gpt.reference.greedy(prompt, 24, { eos: gpt.eos, useCache: false }).tokens).toEqual(want.tokens);
        expect(want.minMargin).toBeGreaterThan(1e-3);
        // With the cache: prompt once, then one token per run.
        let r = await step(session, prompt, undefined, 0);
        const cached: number[] = [];
        let len = prompt.length;
        for (let i = 0; i < want.tokens.length; i++) {
          const t = argmax(r.logits);
          cached.push(t);
          if (i === want.tokens.length - 1) break;
          r = await step(session, [t], r.present, len);
          len += 1;
        }
        expect(cached).toEqual(want.tokens);
        // Without: the whole sequence every step, empty past.
        const seq = [...prompt];
        const full: number[] = [];
        for (let i = 0; i < want.tokens.length; i++) {
          const t = argmax((await step(session, seq, undefined, 0)).logits);
          full.push(t);
          seq.push(t);
        }
        expect(full).toEqual(want.tokens);
        // Logits themselves agree with the float64 reference.
        const ref = gpt.reference.forward(prompt, gpt.reference.emptyCache()).at(-1)!;
        const got = (await step(session, prompt, undefined, 0)).logits;
        ref.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThan(1e-3 * Math.max(1, Math.abs(v))));
      }
    } finally {
      await session.release();
    }
  });

  it("transformers.js' greedy generate() (Node, KV cache) gives the reference's tokens", async () => {
    const tok = await AutoTokenizer.from_pretrained(gpt.id);
    const model = await AutoModelForCausalLM.from_pretrained(gpt.id, { device: 'cpu', dtype: 'fp32' });
    try {
      for (const text of PROMPTS) {
        const prompt = gpt.encode(text);
        const inputs = tok(text, { add_special_tokens: false });
        const out = await model.generate({ ...inputs, max_new_tokens: 20, do_sample: false }) as { tolist(): bigint[][] };
        const got = out.tolist()[0]!.map(Number).slice(prompt.length);
        expect(got).toEqual(gpt.reference.greedy(prompt, 20, { eos: gpt.eos }).tokens);
      }
    } finally {
      await model.dispose();
    }
  });
});
