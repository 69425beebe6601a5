/**
 * Help pages (Markdown or HTML files) → passages: one per second-level section (`##` / `<h2>`),
 * titled by the page's first heading. Text keeps sentences; Markdown emphasis, links and HTML tags
 * are reduced to their text. A page with no sections is one passage.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { KnowledgeDoc } from '../../src/assistant/knowledge.ts';

/** A section's anchor: lower-case words joined by dashes (what most static site generators use). */
export function slugify(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/\p{Mn}/gu, '').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', euro: '€', pound: '£', copy: '©', hellip: '…', ndash: '–', mdash: '—' };

/** Text of an HTML fragment (tags dropped, entities decoded, white space collapsed). */
export function htmlText(html: string): string {
  return html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ')
    .replace(/&(#\d+|#x[\da-f]+|\w+);/gi, (m, e: string) => (e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : ENTITIES[e.toLowerCase()] ?? m))
    .replace(/\s+/g, ' ').trim();
}

/** Text of Markdown (links, emphasis, code marks, list bullets reduced to text). */
function markdownText(md: string): string {
  return md.replace(/!\[[^\]]*\]\([^)]*\)/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[*_`]+/g, '')
    .replace(/^\s*([-*+]|\d+\.)\s+/gm, '').replace(/\s+/g, ' ').trim();
}

/** Passages of one page. `url` is the page's link; sections get `#anchor`. */
export function pagePassages(slug: string, content: string, format: 'md' | 'html', url: string): KnowledgeDoc[] {
  const parts: { heading: string; body: string }[] = [];
  let title = slug;
  if (format === 'md') {
    const h1 = content.match(/^#\s+(.+)$/m);
    if (h1) title = markdownText(h1[1]!);
    const chunks = content.split(/^##\s+/m);
    chunks.slice(1).forEach((c) => {
      const nl = c.indexOf('\n');
      parts.push({ heading: markdownText(nl < 0 ? c : c.slice(0, nl)), body: markdownText((nl < 0 ? '' : c.slice(nl)).replace(/^#.*$/gm, '')) });
    });
    if (parts.length === 0) parts.push({ heading: title, body: markdownText(content.replace(/^#.*$/gm, '')) });
  } else {
    const h1 = content.match(/<h1[^>]*>([\s\S]*?)<\/h1>/i) ?? content.match(/<title[^>]*>([\s\S]*?)<\/title>/i);
    if (h1) title = htmlText(h1[1]!);
    const body = content.replace(/[\s\S]*?<body[^>]*>/i, '');
    const chunks = body.split(/<h2[^>]*>/i);
    chunks.slice(1).forEach((c) => {
      const end = c.search(/<\/h2>/i);
      parts.push({ heading: htmlText(end < 0 ? c : c.slice(0, end)), body: htmlText(end < 0 ? '' : c.slice(end)) });
    });
    if (parts.length === 0) parts.push({ heading: title, body: htmlText(body.replace(/<h1[\s\S]*?<\/h1>/i, '')) });
  }
  return parts.filter((p) => p.body !== '').map((p) => ({
    id: `${slug}#${slugify(p.heading)}`, kind: 'passage', title, heading: p.heading, text: p.body,
    url: parts.length === 1 ? url : `${url}#${slugify(p.heading)}`,
  }));
}

/**
 * Every `.md`, `.markdown`, `.html` and `.htm` file of `dir` (sorted by name), as passages.
 *
 * @param linkTemplate the page link, `{page}` replaced by the file's name without extension
 */
export async function readPages(dir: string, linkTemplate: string): Promise<KnowledgeDoc[]> {
  const files = (await readdir(dir)).filter((f) => /\.(md|markdown|html?)$/i.test(f)).sort();
  if (files.length === 0) throw new Error(`index-pages: no .md or .html files in ${dir}`);
  const out: KnowledgeDoc[] = [];
  for (const f of files) {
    const slug = f.slice(0, -extname(f).length);
    const format = /\.html?$/i.test(f) ? 'html' : 'md';
    out.push(...pagePassages(slug, await readFile(join(dir, f), 'utf8'), format, linkTemplate.replaceAll('{page}', slug)));
  }
  const seen = new Set<string>();
  for (const p of out) {
    if (seen.has(p.id)) throw new Error(`index-pages: two sections have the anchor ${p.id}; give them different headings`);
    seen.add(p.id);
  }
  return out;
}
