/**
 * A fast, synchronous, non-cryptographic 53-bit hash for cache lookups on the page. Two
 * independent 32-bit lanes (MurmurHash3's word mix, and a multiply-xorshift lane with other
 * constants) run over the input 4 bytes at a time, then each is finalised with MurmurHash3's
 * fmix32. 53 bits fit a JS number exactly, so the digest is a cheap `Map` key.
 *
 * Not for security: callers that must never confuse two inputs compare the bytes on a match
 * (the result cache does). Words are read little-endian, so a buffer hashes the same whatever
 * its alignment on every browser (all little-endian); elsewhere alignment may change the
 * digest, which only costs cache misses.
 *
 * @example
 * const h = new FastHasher();
 * h.reset().string('model-sha').bytes(new Float32Array([1, 2, 3])).digest(); // a number < 2 ** 53
 */
export class FastHasher {
  private a = 0;
  private b = 0;

  /** Start a new digest; returns `this` for chaining. */
  reset(seed = 0): this {
    this.a = seed ^ 0x9747b28c;
    this.b = Math.imul(seed, 0x2545f491) ^ 0x3c6ef372;
    return this;
  }

  /** Mix one 32-bit word into both lanes. */
  word(w: number): this {
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    let a = this.a ^ Math.imul(k, 0x1b873593);
    a = (a << 13) | (a >>> 19);
    this.a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    let b = Math.imul(this.b ^ w, 0x85ebca6b);
    this.b = b ^ (b >>> 15);
    return this;
  }

  /** Mix a finite number or integer (dims, lengths). Integers up to 2^53 mix exactly. */
  number(n: number): this {
    return this.word(n | 0).word(Math.floor(n / 0x100000000) | 0);
  }

  /** Mix a string's UTF-16 code units, then its length (so 'ab'+'c' differs from 'a'+'bc'). */
  string(s: string): this {
    const n = s.length;
    let i = 0;
    for (; i + 1 < n; i += 2) this.word(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
    if (i < n) this.word(s.charCodeAt(i));
    return this.word(n);
  }

  /** Mix the raw bytes of a typed array or view, then its byte length. */
  bytes(view: ArrayBufferView): this {
    const { buffer, byteOffset, byteLength } = view;
    // Views on a detached buffer cannot even be constructed; an empty view has nothing to read.
    if (byteLength === 0) return this.word(0);
    const words = byteLength >>> 2;
    if ((byteOffset & 3) === 0) {
      // Aligned: read whole words, ~4x fewer steps than bytes. The loop is `word()` inlined on
      // locals: this is the hot path of every cache lookup (~3x faster than calling word()).
      const w32 = new Int32Array(buffer, byteOffset, words);
      let a = this.a, b = this.b;
      for (let i = 0; i < words; i++) {
        const w = w32[i]!;
        let k = Math.imul(w, 0xcc9e2d51);
        k = (k << 15) | (k >>> 17);
        a ^= Math.imul(k, 0x1b873593);
        a = (a << 13) | (a >>> 19);
        a = (Math.imul(a, 5) + 0xe6546b64) | 0;
        b = Math.imul(b ^ w, 0x85ebca6b);
        b ^= b >>> 15;
      }
      this.a = a;
      this.b = b;
    }
    const u8 = new Uint8Array(buffer, byteOffset, byteLength);
    let i = (byteOffset & 3) === 0 ? words * 4 : 0;
    for (; i + 3 < byteLength; i += 4) this.word(u8[i]! | (u8[i + 1]! << 8) | (u8[i + 2]! << 16) | (u8[i + 3]! << 24));
    let tail = 0;
    for (let s = 0; i < byteLength; i++, s += 8) tail |= u8[i]! << s;
    if ((byteLength & 3) !== 0) this.word(tail);
    return this.word(byteLength);
  }

  /** The digest: an integer in [0, 2^53). Does not reset. */
  digest(): number {
    return (fmix32(this.b) & 0x1fffff) * 0x100000000 + (fmix32(this.a) >>> 0);
  }
}

/** MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Hash of bytes in one call.
 *
 * @example
 * fastHash(new TextEncoder().encode('abc')) === fastHash(new TextEncoder().encode('abc')); // true
 */
export function fastHash(view: ArrayBufferView, seed = 0): number {
  return new FastHasher().reset(seed).bytes(view).digest();
}
