/**
 * The last stored text and what it parsed to. `recommend()` reads the visitor's history and
 * seen-set back from storage on every call, so that another tab's events and `forget()` hold at
 * once; parsing them each time was most of the page-side cost (a 1,000-item seen-set is ~30 KB of
 * JSON: ~0.4 ms per call on the 2-core bench machine). The text is still read every time and
 * compared, so a change by anyone — another tab, another copy of the SDK on the page, a sweep —
 * is parsed afresh; only an unchanged record skips the parse. No storage-event bookkeeping.
 *
 * Callers must treat the value as read-only: it is shared between reads.
 *
 * @example
 * const memo = new TextMemo(decode);
 * memo.get(storage.getItem(key)); // parses
 * memo.get(storage.getItem(key)); // same text: the same value, no parse
 */
export class TextMemo<T> {
  #text: string | null = null;
  #value: T | undefined;
  #has = false;

  constructor(private readonly parse: (text: string | null) => T) {}

  /** What `text` parses to, parsed only when it differs from the last text seen. */
  get(text: string | null): T {
    if (!this.#has || text !== this.#text) {
      this.#value = this.parse(text);
      this.#text = text;
      this.#has = true;
    }
    return this.#value as T;
  }

  /** Forgets the held text and value (personal data: dropped with the record's memory). */
  clear(): void {
    this.#text = null;
    this.#value = undefined;
    this.#has = false;
  }
}
