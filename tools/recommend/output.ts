/**
 * Output rows an e-mail tool can merge: CSV with flattened merge fields (`rec1_id, rec1_title,
 * rec1_url, rec1_image, rec1_price, rec1_reason, rec2_id, …`), or JSON Lines with a `recs` array.
 * URLs come from `{id}`/`{category}` templates, filled as the script tag fills `data-link` and
 * `data-image` (URI-encoded, http(s) only).
 */
import { fillUrlTemplate } from '../../src/embed/safe-url.ts';
import type { ListPackage } from '../../src/recommend/list.ts';
import type { SubscriberList } from './subscriber-list.ts';

/** Output format, from the `--out` extension. */
export type OutputFormat = 'csv' | 'jsonl';

/** How item links and images are made. */
export interface UrlTemplates {
  link?: string | undefined;
  image?: string | undefined;
  /** What relative templates resolve against. */
  base: string;
}

const REC_FIELDS = ['id', 'title', 'url', 'image', 'price', 'reason'] as const;

/** The CSV header for lists of up to `k` items. */
export function csvHeader(k: number): string {
  const cols = ['subscriber_id', 'list'];
  for (let i = 1; i <= k; i++) for (const f of REC_FIELDS) cols.push(`rec${i}_${f}`);
  return cols.join(',');
}

/** RFC 4180 quoting where needed. */
function cell(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

interface RecOut { id: string; title: string; url: string; image: string; price: number; reason: string; score: number }

/** An item's fields in a row: its id, title, URLs and price (what does not depend on the subscriber). */
function itemOut(pkg: ListPackage, itemId: string, urls: UrlTemplates): Omit<RecOut, 'reason' | 'score'> {
  const { items } = pkg;
  const j = pkg.index.get(itemId) ?? -1;
  const fields = { id: itemId, category: items.categories[items.category[j] ?? -1]?.id ?? '' };
  return {
    id: itemId,
    title: items.titles[j] ?? '',
    url: urls.link === undefined ? '' : fillUrlTemplate(urls.link, fields, urls.base) ?? '',
    image: urls.image === undefined ? '' : fillUrlTemplate(urls.image, fields, urls.base) ?? '',
    price: items.price[j] ?? 0,
  };
}

/**
 * Formats output lines (without the newline) for one package, format, k and URL templates. CSV
 * rows always have `k` slots; short lists leave them empty. An item's own fields are formatted
 * once and reused: a newsletter names the same few thousand items millions of times, and URL
 * templates are parsed as URLs (src/embed/safe-url.ts).
 *
 * @example
 * const format = rowFormatter(pkg, 'csv', 6, { link: 'https://shop.example/p/{id}', base: 'https://shop.example/' });
 * out.write(`${format(list)}\n`);
 */
export function rowFormatter(pkg: ListPackage, format: OutputFormat, k: number, urls: UrlTemplates): (r: SubscriberList) => string {
  // Per item id: its CSV cells `id,title,url,image,price`, or its JSON fields up to `"reason":`.
  const cached = new Map<string, string>();
  const itemText = (itemId: string): string => {
    let t = cached.get(itemId);
    if (t === undefined) {
      const x = itemOut(pkg, itemId, urls);
      t = format === 'csv' ? [x.id, x.title, x.url, x.image, x.price].map(cell).join(',') : JSON.stringify(x).slice(0, -1);
      if (cached.size < 1_000_000) cached.set(itemId, t);
    }
    return t;
  };
  if (format === 'jsonl') {
    // The same text as JSON.stringify({ subscriber_id, list, recs: [{ id, title, url, image, price, reason, score }] }).
    return (r) => `{"subscriber_id":${JSON.stringify(r.id)},"list":${JSON.stringify(r.list)},"recs":[${r.recs.map((rec) => `${itemText(rec.itemId)},"reason":${JSON.stringify(rec.reason)},"score":${JSON.stringify(rec.score)}}`).join(',')}]}`;
  }
  const empty = ',,,,,,';
  return (r) => {
    let line = `${cell(r.id)},${cell(r.list)}`;
    for (let i = 0; i < k; i++) {
      const rec = r.recs[i];
      line += rec === undefined ? empty : `,${itemText(rec.itemId)},${cell(rec.reason)}`;
    }
    return line;
  };
}
