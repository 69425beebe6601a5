/**
 * A product card. The image sits inside the same link as the title, so its alt is empty: the link
 * is named by the title once, not twice (WAI images tutorial, "functional images"). The product
 * page's large image carries the descriptive alt.
 */
import { h } from '../dom.ts';
import { price } from '../format.ts';
import type { Catalog, Product } from './catalog.ts';

export interface CardOptions {
  /** Why it is recommended, in the shopper's words. */
  reason?: string;
  /** Called when the shopper follows the card's link (tracked as a click). */
  onOpen?: (id: string) => void;
  /** Shows an "Add to cart" button. */
  onAdd?: (id: string) => void;
}

export function productCard(p: Product, catalog: Catalog, opts: CardOptions = {}): HTMLLIElement {
  const link = h('a', { class: 'card-link', href: `#/p/${encodeURIComponent(p.id)}` },
    h('img', { class: 'card-img', src: catalog.imageUrl(p), alt: '', width: 256, height: 256, loading: 'lazy', decoding: 'async' }),
    h('span', { class: 'card-title' }, p.title));
  if (opts.onOpen !== undefined) link.addEventListener('click', () => opts.onOpen?.(p.id));
  const li = h('li', { class: 'card', 'data-item-id': p.id, 'data-category': p.category },
    link,
    h('p', { class: 'card-meta' },
      h('span', { class: 'price' }, price(p.price, catalog.currency)),
      ' ',
      h('span', { class: 'card-cat' }, catalog.categoryName(p.category))),
    opts.reason !== undefined ? h('p', { class: 'reason' }, opts.reason) : null,
    p.inStock ? null : h('p', { class: 'stock-out' }, 'Out of stock'));
  if (opts.onAdd !== undefined && p.inStock) {
    const add = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Add ${p.title} to cart` }, 'Add to cart');
    add.addEventListener('click', () => opts.onAdd?.(p.id));
    li.append(add);
  }
  return li;
}

/** A placeholder card with the real card's size, so nothing moves when the real one arrives. */
export function skeletonCard(): HTMLLIElement {
  return h('li', { class: 'card skeleton', 'aria-hidden': 'true' },
    h('span', { class: 'card-img sk' }), h('span', { class: 'sk sk-line' }), h('span', { class: 'sk sk-line short' }));
}
