/**
 * The shop front: "For you" and "Trending", then the catalogue with a category filter and the
 * header's search. Without a query the grid lists the chosen category; with one it shows
 * `rec.search()` over the whole shop (keyword index + encoder, on this device), the chosen
 * category acting as a filter the shopper can clear. Updates happen in place; the rows above
 * keep their lists.
 */
import { h, setText } from '../dom.ts';
import { count } from '../format.ts';
import { productCard, skeletonCard } from '../shop/card.ts';
import { productsIn, type Product } from '../shop/catalog.ts';
import { homeHash } from '../app/router.ts';
import { row, type View, type ViewContext } from './view.ts';

const PAGE = 24;
/** Search results fetched per query (shown a page at a time). */
const SEARCH_RESULTS = 96;

export interface HomeParams { category: string | undefined; query: string }

export interface HomeView extends View {
  update(params: HomeParams): void;
}

export function homeView(ctx: ViewContext, params: HomeParams): HomeView {
  const { catalog } = ctx;
  const heading = h('h1', { tabindex: -1 }, 'Gear for your next trip');
  const forYou = row(ctx, {
    id: 'for-you', title: 'For you', blurb: 'Re-ranked on this device every time you look at something.',
    options: () => ({ strategy: 'for-you', k: 8 }),
    coldStart: 'Nothing viewed yet, so these are popular picks. Open any product and this row re-ranks for you.',
  });
  const trending = row(ctx, {
    id: 'trending', title: 'Trending', blurb: 'Most popular across the shop this week.',
    options: () => ({ strategy: 'trending', k: 8 }),
    distinctFrom: forYou,
  });

  const chips = h('div', { class: 'chips', role: 'group', 'aria-label': 'Filter by category' });
  const chip = (id: string | undefined, label: string): HTMLButtonElement => {
    const b = h('button', { type: 'button', class: 'chip', 'data-category': id ?? '' }, label);
    b.addEventListener('click', () => { location.hash = homeHash(id, current.query); });
    return b;
  };
  chips.append(chip(undefined, 'All'), ...catalog.categories.map((c) => chip(c.id, c.name)));

  const summary = h('p', { class: 'results', 'aria-live': 'polite' });
  const grid = h('ul', { class: 'grid', role: 'list', id: 'grid' });
  const more = h('button', { type: 'button', class: 'btn btn-ghost more' }, 'Show more');
  more.hidden = true;
  let current = params;
  let shown = 0;
  let matches: Product[] = [];
  // Answers to superseded queries (the shopper kept typing) are dropped, whatever order they arrive in.
  let asked = 0;

  const showMore = (): void => {
    const next = matches.slice(shown, shown + PAGE);
    grid.append(...next.map((p) => productCard(p, catalog, { onOpen: (id) => ctx.track('click', id), onAdd: ctx.addToCart })));
    shown += next.length;
    more.hidden = shown >= matches.length;
  };
  more.addEventListener('click', () => {
    const first = shown;
    showMore();
    // Keyboard users continue from the first new card instead of jumping back to the top.
    grid.children[first]?.querySelector('a')?.focus();
  });

  const show = (list: Product[], line: (string | HTMLElement)[], none: string): void => {
    matches = list;
    summary.replaceChildren(...line);
    grid.replaceChildren();
    shown = 0;
    showMore();
    if (list.length === 0) {
      grid.append(h('li', { class: 'none' }, none));
      more.hidden = true;
    }
  };
  const products = (n: number): string => `${count(n)} ${n === 1 ? 'product' : 'products'}`;

  const update = (p: HomeParams): void => {
    current = p;
    const ticket = ++asked;
    for (const b of chips.querySelectorAll<HTMLButtonElement>('.chip')) {
      b.setAttribute('aria-pressed', String((b.dataset['category'] || undefined) === p.category));
    }
    const where = p.category === undefined ? 'All products' : catalog.categoryName(p.category);
    if (p.query === '') {
      const list = productsIn(catalog, p.category);
      show(list, [`${where}: ${products(list.length)}`], 'Nothing in this category yet.');
      return;
    }
    grid.setAttribute('aria-busy', 'true');
    setText(summary, `Searching for “${p.query}”…`);
    const filter = p.category === undefined ? undefined : { category: p.category };
    ctx.reco.search(p.query, { k: SEARCH_RESULTS, remember: false, ...(filter === undefined ? {} : { filter }) }).then(({ items, ms }) => {
      if (ticket !== asked) return;
      grid.removeAttribute('aria-busy');
      const list = items.flatMap((r) => catalog.byId.get(r.itemId) ?? []);
      const line: (string | HTMLElement)[] = [`“${p.query}”${p.category === undefined ? '' : ` in ${where}`}: ${list.length === 0 ? 'no results' : `${products(list.length)}${list.length === SEARCH_RESULTS ? ' (best first)' : ''}`}, searched on this device in ${ms.toFixed(1)} ms`];
      if (p.category !== undefined) {
        const clear = h('button', { type: 'button', class: 'btn btn-ghost clear-filter' }, `Search all categories`);
        clear.addEventListener('click', () => { location.hash = homeHash(undefined, p.query); });
        line.push(' ', clear);
      }
      show(list, line, p.category === undefined ? `No results for “${p.query}”. Try other words.` : `No results for “${p.query}” in ${where}. Try all categories.`);
    }, (e: unknown) => {
      if (ticket !== asked) return;
      grid.removeAttribute('aria-busy');
      show([], [`Search failed: ${e instanceof Error ? e.message : String(e)}`], 'Search is unavailable right now.');
    });
  };
  update(params);

  const el = h('div', { class: 'view home' },
    h('div', { class: 'hero' }, heading, h('p', { class: 'lede' }, `${count(catalog.products.length)} products. Every recommendation on this page is computed by a model running in your browser tab: no server sees what you browse.`)),
    forYou.el, trending.el,
    h('section', { class: 'browse', 'aria-labelledby': 'browse-title' }, h('h2', { id: 'browse-title' }, 'Browse'), chips, summary, grid, more));
  return { el, heading, update, dispose: () => { forYou.dispose(); trending.dispose(); } };
}

/**
 * The shop front before the catalogue has arrived: the same blocks at the same sizes (hero, two
 * rows, the browse grid), so nothing moves when the real page replaces it.
 */
export function homeSkeleton(): HTMLElement {
  const skRow = (title: string): HTMLElement => h('section', { class: 'row', 'aria-hidden': 'true' },
    h('div', { class: 'row-head' }, h('h2', {}, title), h('p', { class: 'row-blurb' }, '\u00a0')),
    h('ul', { class: 'row-list', role: 'list' }, ...Array.from({ length: 8 }, skeletonCard)),
    h('p', { class: 'row-status' }, 'Loading…'));
  return h('div', { class: 'view home', 'aria-busy': 'true' },
    h('div', { class: 'hero' }, h('h1', {}, 'Gear for your next trip'), h('p', { class: 'lede' }, 'Loading the catalogue…')),
    skRow('For you'), skRow('Trending'),
    h('section', { class: 'browse', 'aria-hidden': 'true' }, h('h2', {}, 'Browse'),
      h('div', { class: 'chips' }), h('p', { class: 'results' }, '\u00a0'),
      h('ul', { class: 'grid', role: 'list' }, ...Array.from({ length: 8 }, skeletonCard))));
}
