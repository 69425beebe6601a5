/**
 * A GPT-2 style byte-level BPE tokenizer in plain TS: learns merges from a corpus and tokenizes
 * exactly as transformers.js 4.3.2 (@huggingface/tokenizers) does with the `tokenizer.json` written
 * by {@link bpeTokenizerJson}: added (special) tokens are split out first, the rest is cut by the
 * GPT-2 regex, each piece's UTF-8 bytes are mapped to printable characters (`bytes_to_unicode`) and
 * merged by rank. Decoding maps the characters back to bytes (an incomplete UTF-8 sequence decodes
 * to U+FFFD, as TextDecoder does). `test/unit/gpt-tokenizer.test.ts` checks it against
 * transformers.js' own tokenizer.
 */

/** GPT-2's pre-tokenizer pattern (the one @huggingface/tokenizers' ByteLevel uses). */
const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's reversible byte → printable character table. */
function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) { bs.push(b); cs.push(256 + n); n++; }
  }
  const table = new Array<string>(256);
  bs.forEach((b, i) => { table[b] = String.fromCharCode(cs[i]!); });
  return table;
}

/** Byte → character, and character → byte. */
export const BYTE_CHARS: readonly string[] = Object.freeze(bytesToUnicode());
const CHAR_BYTES: ReadonlyMap<string, number> = new Map(BYTE_CHARS.map((c, b) => [c, b]));

/** A learned byte-level BPE: vocabulary (bytes, merges, then special tokens) and merge ranks. */
export interface Bpe {
  /** id → token (byte characters and merged strings; special tokens at the end). */
  tokens: string[];
  ids: Map<string, number>;
  /** Merges in rank order, as `[left, right]`. */
  merges: [string, string][];
  /** `left + '\u0000' + right` → rank. */
  ranks: Map<string, number>;
  /** Special tokens (split out before pre-tokenization, never merged). */
  special: string[];
}

/** Pieces of `text` as byte characters (pre-tokenization). */
export function preTokenize(text: string): string[] {
  const enc = new TextEncoder();
  return (text.match(GPT2_PATTERN) ?? []).map((piece) => Array.from(enc.encode(piece), (b) => BYTE_CHARS[b]!).join(''));
}

/**
 * Learns `merges` merges from `corpus` (most frequent adjacent pair first; ties by the pair's
 * text, so the result is deterministic), then appends `special` tokens.
 *
 * @example const bpe = learnBpe(['a tent for two'], 100, ['<|endoftext|>']);
 */
export function learnBpe(corpus: readonly string[], merges: number, special: readonly string[]): Bpe {
  const freq = new Map<string, number>();
  for (const line of corpus) for (const p of preTokenize(line)) freq.set(p, (freq.get(p) ?? 0) + 1);
  const words = [...freq.keys()].sort();
  const split = words.map((w) => Array.from(w));
  const counts = words.map((w) => freq.get(w)!);
  const tokens = [...BYTE_CHARS];
  const learned: [string, string][] = [];
  for (let m = 0; m < merges; m++) {
    const pairs = new Map<string, number>();
    split.forEach((sym, wi) => {
      for (let i = 0; i + 1 < sym.length; i++) {
        const key = `${sym[i]}\u0000${sym[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + counts[wi]!);
      }
    });
    let best: string | undefined;
    let bestCount = 1;
    for (const key of [...pairs.keys()].sort()) {
      const c = pairs.get(key)!;
      if (c > bestCount) { best = key; bestCount = c; }
    }
    if (best === undefined) break;
    const [left, right] = best.split('\u0000') as [string, string];
    for (const sym of split) {
      for (let i = 0; i + 1 < sym.length; i++) if (sym[i] === left && sym[i + 1] === right) sym.splice(i, 2, left + right);
    }
    learned.push([left, right]);
    if (!tokens.includes(left + right)) tokens.push(left + right);
  }
  tokens.push(...special);
  return {
    tokens, ids: new Map(tokens.map((t, i) => [t, i])), merges: learned,
    ranks: new Map(learned.map(([a, b], i) => [`${a}\u0000${b}`, i])), special: [...special],
  };
}

/** BPE of one pre-tokenized piece: repeatedly merge the adjacent pair of lowest rank (leftmost first). */
function bpePiece(piece: string, bpe: Bpe): string[] {
  const sym = Array.from(piece);
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < sym.length; i++) {
      const r = bpe.ranks.get(`${sym[i]}\u0000${sym[i + 1]}`);
      if (r !== undefined && r < bestRank) { bestRank = r; best = i; }
    }
    if (best < 0) return sym;
    sym.splice(best, 2, sym[best]! + sym[best + 1]!);
  }
}

/** Token ids of `text` (no BOS/EOS added: GPT-2 adds none). */
export function encodeBpe(text: string, bpe: Bpe): number[] {
  const out: number[] = [];
  // Added tokens first, longest first, as the tokenizers' splitter does.
  const specials = [...bpe.special].sort((a, b) => b.length - a.length);
  let rest = text;
  while (rest.length > 0) {
    let at = -1;
    let which = '';
    for (const s of specials) {
      const i = rest.indexOf(s);
      if (i >= 0 && (at < 0 || i < at)) { at = i; which = s; }
    }
    const plain = at < 0 ? rest : rest.slice(0, at);
    for (const p of preTokenize(plain)) for (const t of bpePiece(p, bpe)) out.push(bpe.ids.get(t)!);
    if (at < 0) break;
    out.push(bpe.ids.get(which)!);
    rest = rest.slice(at + which.length);
  }
  return out;
}

/** Text of token ids; special tokens are dropped with `skipSpecial`. */
export function decodeBpe(ids: readonly number[], bpe: Bpe, opts: { skipSpecial?: boolean } = {}): string {
  const dec = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  let out = '';
  let bytes: number[] = [];
  const flush = (): void => { if (bytes.length > 0) { out += dec.decode(Uint8Array.from(bytes)); bytes = []; } };
  for (const id of ids) {
    const t = bpe.tokens[id]!;
    if (bpe.special.includes(t)) {
      if (opts.skipSpecial) continue;
      flush();
      out += t;
      continue;
    }
    for (const ch of t) bytes.push(CHAR_BYTES.get(ch)!);
  }
  flush();
  return out;
}

/** `tokenizer.json` (Hugging Face tokenizers format, GPT-2 layout) for a learned BPE. */
export function bpeTokenizerJson(bpe: Bpe): Record<string, unknown> {
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const plain = bpe.tokens.slice(0, bpe.tokens.length - bpe.special.length);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: bpe.special.map((content) => ({ id: bpe.ids.get(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false,
      vocab: Object.fromEntries(plain.map((t, i) => [t, i])),
      merges: bpe.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}
