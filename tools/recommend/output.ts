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

function recsOut(pkg: ListPackage, r: SubscriberList, urls: UrlTemplates): RecOut[] {
  const { items } = pkg;
  return r.recs.map((rec) => {
    const j = pkg.index.get(rec.itemId) ?? -1;
    const fields = { id: rec.itemId, category: items.categories[items.category[j] ?? -1]?.id ?? '' };
    return {
      id: rec.itemId,
      title: items.titles[j] ?? '',
      url: urls.link === undefined ? '' : fillUrlTemplate(urls.link, fields, urls.base) ?? '',
      image: urls.image === undefined ? '' : fillUrlTemplate(urls.image, fields, urls.base) ?? '',
      price: items.price[j] ?? 0,
      reason: rec.reason,
      score: rec.score,
    };
  });
}

/** One output line (without the newline). CSV rows always have `k` slots; short lists leave them empty. */
export function formatRow(pkg: ListPackage, r: SubscriberList, format: OutputFormat, k: number, urls: UrlTemplates): string {
  const recs = recsOut(pkg, r, urls);
  if (format === 'jsonl') return JSON.stringify({ subscriber_id: r.id, list: r.list, recs });
  const cells: (string | number)[] = [r.id, r.list];
  for (let i = 0; i < k; i++) {
    const x = recs[i];
    if (x === undefined) cells.push('', '', '', '', '', '');
    else cells.push(x.id, x.title, x.url, x.image, x.price, x.reason);
  }
  return cells.map(cell).join(',');
}
