/**
 * The cart: lines with quantity steppers, a total, a demo checkout (tracked as purchases, sent
 * nowhere), and "Complete the look" anchored on the newest line.
 */
import { h } from '../dom.ts';
import { price } from '../format.ts';
import { row, type View, type ViewContext } from './view.ts';

export function cartView(ctx: ViewContext): View {
  const { catalog, cart } = ctx;
  const heading = h('h1', { tabindex: -1 }, 'Your cart');
  const lines = h('ul', { class: 'cart-lines', role: 'list' });
  const total = h('p', { class: 'cart-total' });
  const done = h('p', { class: 'added', role: 'status' });
  const order = h('button', { type: 'button', class: 'btn' }, 'Place order (demo)');

  const render = (): void => {
    const rows = [...cart.items].flatMap(([id, qty]) => {
      const p = catalog.byId.get(id);
      if (p === undefined) return [];
      const minus = h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'aria-label': `One fewer ${p.title}` }, '−');
      const plus = h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'aria-label': `One more ${p.title}` }, '+');
      const remove = h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'aria-label': `Remove ${p.title}` }, 'Remove');
      minus.addEventListener('click', () => cart.set(id, qty - 1));
      plus.addEventListener('click', () => cart.set(id, qty + 1));
      remove.addEventListener('click', () => cart.set(id, 0));
      return [h('li', { class: 'cart-line', 'data-item-id': id },
        h('img', { src: catalog.imageUrl(p), alt: '', width: 64, height: 64 }),
        h('a', { href: `#/p/${encodeURIComponent(id)}` }, p.title),
        h('span', { class: 'qty' }, minus, h('span', { 'aria-label': `Quantity of ${p.title}` }, String(qty)), plus),
        h('span', { class: 'price' }, price(p.price * qty, catalog.currency)),
        remove)];
    });
    lines.replaceChildren(...rows);
    const sum = [...cart.items].reduce((s, [id, q]) => s + (catalog.byId.get(id)?.price ?? 0) * q, 0);
    total.textContent = rows.length === 0 ? 'Your cart is empty.' : `Total: ${price(sum, catalog.currency)}`;
    order.hidden = rows.length === 0;
  };
  order.addEventListener('click', () => {
    // One order: each line with its value, so attributed revenue reaches the KPIs and the dataLayer.
    const orderId = `demo-${Date.now()}`;
    const bought = [...cart.items];
    bought.forEach(([id, qty], i) => {
      const value = Math.round((catalog.byId.get(id)?.price ?? 0) * qty * 100) / 100;
      ctx.reco.track({ type: 'purchase', itemId: id, value, currency: catalog.currency, quantity: qty, transactionId: orderId }, i === bought.length - 1);
    });
    cart.clear();
    done.textContent = 'Thank you! This is a demo: the order went nowhere, and your purchase is remembered only on this device.';
  });
  const complete = row(ctx, {
    id: 'complete-the-look', title: 'Complete the look', blurb: 'Goes with the newest item in your cart.',
    options: () => { const last = cart.last; return last === undefined ? undefined : { strategy: 'complete-the-look', itemId: last, k: 6 }; },
    empty: 'Add something to your cart to see what goes with it.',
  });
  const forYou = row(ctx, {
    id: 'for-you', title: 'For you', blurb: 'From your history on this device.',
    options: () => ({ strategy: 'for-you', k: 8 }),
  });
  render();
  // Quantity changes here are not tracked events, but they can change the newest line.
  const stop = cart.onChange(() => { render(); complete.refresh(); });
  const el = h('div', { class: 'view cart' }, heading, lines, total, order, done, complete.el, forYou.el);
  return { el, heading, dispose: () => { stop(); complete.dispose(); forYou.dispose(); } };
}
