/**
 * A BERT WordPiece tokenizer in plain TS: learns a vocabulary from the catalogue's own text and
 * tokenizes exactly as transformers.js 4.3.2 does with the `tokenizer.json` written by
 * {@link tokenizerJson} (BertNormalizer → BertPreTokenizer → WordPiece → [CLS] A [SEP] (B [SEP])).
 * The trainer and the JS references use this; `test/unit/encoder-tokenizer.test.ts` checks it
 * against transformers' own tokenizer on the catalogue and on the eval queries.
 */

/** Special tokens, at ids 0..4 in this order. */
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
export const PAD_ID = 0;
export const UNK_ID = 1;
export const CLS_ID = 2;
export const SEP_ID = 3;
const PREFIX = '##';
const MAX_CHARS_PER_WORD = 100;

// Same character classes as transformers.js' BertNormalizer / BertPreTokenizer.
const PUNCT = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const WORD_PATTERN = new RegExp(`[^\\s${PUNCT}]+|[${PUNCT}]`, 'gu');
const isChinese = (cp: number): boolean =>
  (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) || (cp >= 0x2a700 && cp <= 0x2b73f) ||
  (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);

function isControl(ch: string): boolean {
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  // transformers.js' regex, kept verbatim (its alternation is unanchored in the middle).
  return /^\p{Cc}|\p{Cf}|\p{Co}|\p{Cs}$/u.test(ch);
}

/** BertNormalizer (clean text, CJK spacing, lowercase, strip accents). */
export function normalize(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.charCodeAt(0);
    if (cp === 0 || cp === 0xfffd || isControl(ch)) continue;
    out += /^\s$/.test(ch) ? ' ' : ch;
  }
  let spaced = '';
  // transformers.js walks UTF-16 code units here, not code points; so do we.
  for (let i = 0; i < out.length; i++) {
    const ch = out[i]!;
    spaced += isChinese(ch.charCodeAt(0)) ? ` ${ch} ` : ch;
  }
  return spaced.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
}

/** BertPreTokenizer: words and single punctuation marks. */
export function preTokenize(normalized: string): string[] {
  return normalized.trim().match(WORD_PATTERN) ?? [];
}

/** Normalised words of a text, as the tokenizer sees them. */
export function words(text: string): string[] {
  return preTokenize(normalize(text));
}

/** A vocabulary: token → id, and id → token. */
export interface Vocab {
  tokens: string[];
  ids: Map<string, number>;
}

/** Builds the lookup from an ordered token list. */
export function vocabOf(tokens: readonly string[]): Vocab {
  return { tokens: [...tokens], ids: new Map(tokens.map((t, i) => [t, i])) };
}

/** Greedy longest-match-first WordPiece of one word (transformers.js' algorithm). */
export function wordPiece(word: string, vocab: Vocab): number[] {
  const chars = [...word];
  if (chars.length > MAX_CHARS_PER_WORD) return [UNK_ID];
  const out: number[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = chars.length;
    let found = -1;
    while (start < end) {
      const sub = (start > 0 ? PREFIX : '') + chars.slice(start, end).join('');
      const id = vocab.ids.get(sub);
      if (id !== undefined) {
        found = id;
        break;
      }
      end--;
    }
    if (found < 0) return [UNK_ID];
    out.push(found);
    start = end;
  }
  return out;
}

/** Word-piece ids of a text, without special tokens. */
export function pieces(text: string, vocab: Vocab): number[] {
  return words(text).flatMap((w) => wordPiece(w, vocab));
}

/**
 * Ids as the pipeline feeds them: `[CLS] a [SEP]` or `[CLS] a [SEP] b [SEP]`, truncated to
 * `maxLength` (longest-first for pairs, as transformers.js does), with token type ids.
 */
export function encode(text: string, vocab: Vocab, opts: { pair?: string; maxLength?: number } = {}): { ids: number[]; typeIds: number[] } {
  let a = pieces(text, vocab);
  let b = opts.pair === undefined ? undefined : pieces(opts.pair, vocab);
  const max = opts.maxLength ?? 512;
  const special = b === undefined ? 2 : 3;
  while (a.length + (b?.length ?? 0) + special > max) {
    if (b !== undefined && b.length > a.length) b = b.slice(0, -1);
    else a = a.slice(0, -1);
  }
  const ids = [CLS_ID, ...a, SEP_ID, ...(b === undefined ? [] : [...b, SEP_ID])];
  const typeIds = [...new Array<number>(a.length + 2).fill(0), ...new Array<number>(b === undefined ? 0 : b.length + 1).fill(1)];
  return { ids, typeIds };
}

/** Options of {@link learnVocab}. */
export interface LearnVocabOptions {
  /** Upper bound on the vocabulary, special tokens included. Default 4000. */
  maxSize?: number;
  /** Pairs seen fewer times are not merged. Default 2. */
  minFrequency?: number;
}

/**
 * Learns a WordPiece vocabulary from texts: the characters (as word starts and `##` continuations)
 * plus BPE-style merges of the most frequent adjacent pieces, until `maxSize` or no pair is seen
 * `minFrequency` times. Frequent words end up whole; rare ones and unseen inflections still split
 * into known pieces ("tents" → "tent", "##s"). Deterministic: ties go to the pair seen first in
 * sorted order.
 *
 * @example const vocab = learnVocab(['Northpeak Summit 2P Dome Tent', …], { maxSize: 3000 });
 */
export function learnVocab(texts: Iterable<string>, opts: LearnVocabOptions = {}): Vocab {
  const maxSize = opts.maxSize ?? 4000;
  const minFreq = opts.minFrequency ?? 2;
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of words(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const wordList = [...counts.keys()].filter((w) => [...w].length <= MAX_CHARS_PER_WORD).sort();
  const split = wordList.map((w) => [...w].map((c, i) => (i === 0 ? c : PREFIX + c)));
  const freq = wordList.map((w) => counts.get(w)!);
  const alphabet = [...new Set(split.flat())].sort();
  const tokens: string[] = [...SPECIAL_TOKENS, ...alphabet];
  const known = new Set(tokens);
  while (tokens.length < maxSize) {
    const pairs = new Map<string, number>();
    split.forEach((sym, wi) => {
      for (let i = 0; i + 1 < sym.length; i++) {
        const key = `${sym[i]}\u0000${sym[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + freq[wi]!);
      }
    });
    let best: string | undefined;
    let bestCount = minFreq - 1;
    for (const key of [...pairs.keys()].sort()) {
      const c = pairs.get(key)!;
      if (c > bestCount) {
        best = key;
        bestCount = c;
      }
    }
    if (best === undefined) break;
    const [left, right] = best.split('\u0000') as [string, string];
    const merged = left + right.slice(PREFIX.length);
    for (const sym of split) {
      for (let i = 0; i + 1 < sym.length; i++) {
        if (sym[i] === left && sym[i + 1] === right) sym.splice(i, 2, merged);
      }
    }
    if (!known.has(merged)) {
      known.add(merged);
      tokens.push(merged);
    }
  }
  return vocabOf(tokens);
}

/** `tokenizer.json` (Hugging Face tokenizers format) for a BERT WordPiece vocabulary. */
export function tokenizerJson(vocab: Vocab): Record<string, unknown> {
  const special = (id: number): Record<string, unknown> => ({ id, content: vocab.tokens[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const tok = (name: string, typeId: number): Record<string, unknown> => ({ SpecialToken: { id: name, type_id: typeId } });
  const seq = (name: 'A' | 'B', typeId: number): Record<string, unknown> => ({ Sequence: { id: name, type_id: typeId } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((_, i) => special(i)),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [tok('[CLS]', 0), seq('A', 0), tok('[SEP]', 0)],
      pair: [tok('[CLS]', 0), seq('A', 0), tok('[SEP]', 0), seq('B', 1), tok('[SEP]', 1)],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [CLS_ID], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [SEP_ID], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: PREFIX, cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: PREFIX, max_input_chars_per_word: MAX_CHARS_PER_WORD, vocab: Object.fromEntries(vocab.tokens.map((t, i) => [t, i])) },
  };
}

/** `tokenizer_config.json` for the same tokenizer. */
export function tokenizerConfig(maxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: maxLength,
    pad_token: '[PAD]', unk_token: '[UNK]', cls_token: '[CLS]', sep_token: '[SEP]', mask_token: '[MASK]',
  };
}

/** Reads the vocabulary back from a `tokenizer.json` object. */
export function vocabFromTokenizerJson(json: { model: { vocab: Record<string, number> } }): Vocab {
  const tokens: string[] = [];
  for (const [t, id] of Object.entries(json.model.vocab)) tokens[id] = t;
  return vocabOf(tokens);
}
