/**
 * A product page: details, add to cart, and three rows computed on the device: "Similar items"
 * (same category), "Complete the look" (learned complementary categories) and "For you".
 * Opening the page is tracked as a view, which re-ranks every row at once.
 */
import { h } from '../dom.ts';
import { price } from '../format.ts';
import { row, type View, type ViewContext } from './view.ts';

export function productView(ctx: ViewContext, id: string): View {
  const { catalog } = ctx;
  const p = catalog.byId.get(id);
  if (p === undefined) {
    const heading = h('h1', { tabindex: -1 }, 'Product not found');
    return {
      heading, dispose: () => {},
      el: h('div', { class: 'view' }, heading, h('p', {}, 'This product is not in the catalogue. ', h('a', { href: '#/' }, 'Back to the shop'))),
    };
  }
  const catName = catalog.categoryName(p.category);
  const heading = h('h1', { tabindex: -1, class: 'pdp-title' }, p.title);
  const added = h('p', { class: 'added', role: 'status' });
  const add = h('button', { type: 'button', class: 'btn', disabled: !p.inStock }, p.inStock ? 'Add to cart' : 'Out of stock');
  add.addEventListener('click', () => {
    ctx.addToCart(p.id);
    added.textContent = `Added to your cart (${ctx.cart.items.get(p.id) ?? 1} in cart).`;
  });

  const similar = row(ctx, {
    id: 'similar', title: 'Similar items', blurb: `Other ${catName.toLowerCase()} shoppers look at next.`,
    options: () => ({ strategy: 'similar', itemId: p.id, k: 6 }),
  });
  const complete = row(ctx, {
    id: 'complete-the-look', title: 'Complete the look', blurb: 'What shoppers add next to this, learned from simulated sessions.',
    options: () => ({ strategy: 'complete-the-look', itemId: p.id, k: 6 }),
  });
  const forYou = row(ctx, {
    id: 'for-you', title: 'For you', blurb: 'Your history on this device, re-ranked with this view included.',
    options: () => ({ strategy: 'for-you', k: 8 }),
  });

  const el = h('div', { class: 'view product', 'data-item-id': p.id },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' },
      h('a', { href: '#/' }, 'Shop'), ' › ', h('a', { href: `#/?cat=${encodeURIComponent(p.category)}` }, catName)),
    h('article', { class: 'pdp' },
      h('img', { class: 'pdp-img', src: catalog.imageUrl(p), alt: `Illustration of the ${p.title}`, width: 256, height: 256 }),
      h('div', { class: 'pdp-info' },
        h('p', { class: 'pdp-brand' }, p.brand),
        heading,
        h('p', { class: 'pdp-price' }, price(p.price, catalog.currency)),
        h('p', { class: p.inStock ? 'in-stock' : 'stock-out' }, p.inStock ? 'In stock' : 'Out of stock'),
        h('p', { class: 'desc' }, p.description),
        h('ul', { class: 'tags', 'aria-label': 'Features' }, ...p.tags.map((t) => h('li', {}, t))),
        add, added)),
    similar.el, complete.el, forYou.el);
  // Track after the rows exist, so the view re-ranks them with this product in the history.
  ctx.track('view', p.id);
  return { el, heading, dispose: () => { similar.dispose(); complete.dispose(); forYou.dispose(); } };
}
