/**
 * The help centre pages (#/help/<page>): the generated Markdown from `public/help/`, rendered as
 * text (headings with anchors the assistant's source links point to, paragraphs). Nothing is
 * parsed as HTML.
 */
import { h } from '../dom.ts';
import type { View } from './view.ts';

const PAGES = ['shipping', 'returns', 'warranty', 'sizing', 'care', 'contact'];
const slug = (t: string): string => t.toLowerCase().normalize('NFKD').replace(/\p{Mn}/gu, '').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');

export function helpView(page: string, section: string | undefined): View {
  const heading = h('h1', { tabindex: -1 }, 'Help');
  const body = h('div', { class: 'help-body' });
  const nav = h('nav', { class: 'help-nav', 'aria-label': 'Help pages' }, ...PAGES.map((p) => h('a', { href: `#/help/${p}`, 'aria-current': p === page ? 'page' : undefined }, p[0]!.toUpperCase() + p.slice(1))));
  const el = h('section', { class: 'help' }, nav, heading, body);
  let live = true;
  void fetch(`./help/${encodeURIComponent(page)}.md`).then(async (res) => {
    if (!live) return;
    if (!res.ok) { body.textContent = 'This help page does not exist.'; return; }
    for (const block of (await res.text()).split(/\n{2,}/)) {
      const line = block.trim();
      if (line.startsWith('# ')) heading.textContent = line.slice(2);
      else if (line.startsWith('## ')) body.append(h('h2', { id: `help-${slug(line.slice(3))}` }, line.slice(3)));
      else if (line !== '') body.append(h('p', {}, line));
    }
    if (section) document.getElementById(`help-${section}`)?.scrollIntoView({ block: 'start' });
  }, () => { body.textContent = 'The help page could not load.'; });
  return { el, heading, dispose: () => { live = false; } };
}
