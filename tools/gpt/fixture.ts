/**
 * The tiny GPT fixture in the Hugging Face layout transformers.js loads for `text-generation`:
 *
 *   config.json             model_type 'gpt2' (n_embd, n_head, n_layer, n_positions), fp32 only
 *   generation_config.json  bos/eos/pad ids (eos: <|im_end|> and <|endoftext|>)
 *   tokenizer.json          byte-level BPE learned from a small shop corpus (bpe.ts)
 *   tokenizer_config.json   GPT2Tokenizer, model_max_length, a ChatML chat template
 *   onnx/model.onnx         the decoder with past key/values (tiny-gpt.ts)
 *
 * Seeded: the same bytes on every machine. The weights are random, so the text is gibberish; the
 * fixture exists to check the mechanics (streaming, cache, abort, budget) against a reference.
 */
import type { HfFiles } from '../encoder/hf-layout.ts';
import { bpeTokenizerJson, decodeBpe, encodeBpe, learnBpe, type Bpe } from './bpe.ts';
import { GptReference, gptOnnx, initGpt, parameterCount, type GptConfig, type GptWeights } from './tiny-gpt.ts';

/** Sentences the BPE merges are learned from (shop, support and chat words). */
export const GPT_CORPUS: readonly string[] = [
  'A light dome tent for two people with a waterproof rainfly.',
  'This sleeping bag is warm, packable and comfortable down to minus five degrees.',
  'Orders ship within two working days. Delivery takes three to five days.',
  'You can return any item within 30 days for a full refund.',
  'Every product has a two-year warranty against defects.',
  'Wash the jacket at 30 degrees and reapply the water repellent.',
  'Choose boots half a size larger than your street shoes.',
  'Hello! How can I help you today? Thank you for your question.',
  'The user asks about shipping, returns, sizes and care of their gear.',
  'I do not know the answer. Please contact our support team.',
  'system user assistant',
];

/** Chat special tokens (ChatML, as SmolLM2 and Qwen use). */
export const GPT_SPECIAL = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

/** ChatML, as a Jinja template (what transformers.js renders). */
export const CHATML_TEMPLATE = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** The same template in JS, for references. */
export function chatml(messages: readonly { role: string; content: string }[], addGenerationPrompt = true): string {
  return messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('') + (addGenerationPrompt ? '<|im_start|>assistant\n' : '');
}

/** Default sizes: 3 layers × 64 wide, 4 heads, 128 positions (~180 k parameters with the BPE vocabulary). */
export const TINY_GPT: Omit<GptConfig, 'vocab'> = { hidden: 64, heads: 4, layers: 3, positions: 128, seed: 2101 };

/** The fixture: files, tokenizer and reference. */
export interface TinyGpt {
  /** Hugging Face model id, e.g. `'inpage-test/tiny-gpt'`. */
  id: string;
  bpe: Bpe;
  weights: GptWeights;
  reference: GptReference;
  files: HfFiles;
  /** Ids of the end-of-sequence tokens (generation stops after one). */
  eos: number[];
  params: number;
  encode(text: string): number[];
  decode(ids: readonly number[], skipSpecial?: boolean): string;
}

/**
 * Builds the fixture. Deterministic.
 *
 * @example const gpt = tinyGpt(); await writeHfFolder(`public/hf/${gpt.id}`, gpt.files);
 */
export function tinyGpt(sizes: Omit<GptConfig, 'vocab'> = TINY_GPT, id = 'inpage-test/tiny-gpt'): TinyGpt {
  const bpe = learnBpe(GPT_CORPUS, 300, GPT_SPECIAL);
  const weights = initGpt({ ...sizes, vocab: bpe.tokens.length });
  const idOf = (t: string): number => bpe.ids.get(t)!;
  const eos = [idOf('<|im_end|>'), idOf('<|endoftext|>')];
  const files: HfFiles = {
    'config.json': {
      model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], vocab_size: bpe.tokens.length,
      n_embd: sizes.hidden, n_head: sizes.heads, n_layer: sizes.layers, n_positions: sizes.positions, n_ctx: sizes.positions,
      bos_token_id: idOf('<|endoftext|>'), eos_token_id: eos, use_cache: true,
      'transformers.js_config': { dtype: 'fp32' },
    },
    'generation_config.json': { bos_token_id: idOf('<|endoftext|>'), eos_token_id: eos, pad_token_id: idOf('<|endoftext|>') },
    'tokenizer.json': bpeTokenizerJson(bpe),
    'tokenizer_config.json': {
      tokenizer_class: 'GPT2Tokenizer', model_max_length: sizes.positions, add_bos_token: false, add_prefix_space: false,
      clean_up_tokenization_spaces: false, bos_token: '<|endoftext|>', eos_token: '<|im_end|>', unk_token: '<|endoftext|>', pad_token: '<|endoftext|>',
      chat_template: CHATML_TEMPLATE,
    },
    'onnx/model.onnx': gptOnnx(weights),
  };
  return {
    id, bpe, weights, reference: new GptReference(weights), files, eos, params: parameterCount(weights),
    encode: (text) => encodeBpe(text, bpe),
    decode: (ids, skipSpecial = true) => decodeBpe(ids, bpe, { skipSpecial }),
  };
}
