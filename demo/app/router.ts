/**
 * Hash routes, so the built shop works from any static host and sub-folder without rewrites:
 *   #/            the shop front (optional ?cat=<category>&q=<search>)
 *   #/p/<id>      a product page
 *   #/cart        the cart
 *   #/help/<page>[#<section>]  a help centre page (what the assistant links to)
 * Other hashes (#main, #panel) are in-page anchors, not routes.
 */

export type Route =
  | { kind: 'home'; category: string | undefined; query: string }
  | { kind: 'product'; id: string }
  | { kind: 'cart' }
  | { kind: 'help'; page: string; section: string | undefined };

export function isRoute(hash: string): boolean {
  return hash === '' || hash === '#' || hash.startsWith('#/');
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  const [head = '', search = ''] = path.split('?', 2);
  const parts = head.split('/').filter((s) => s !== '');
  if (parts[0] === 'p' && parts[1] !== undefined) return { kind: 'product', id: decodeURIComponent(parts[1]) };
  if (parts[0] === 'cart') return { kind: 'cart' };
  if (parts[0] === 'help') {
    const [page = 'shipping', section] = (parts[1] ?? '').split('#');
    return { kind: 'help', page: page === '' ? 'shipping' : page, section };
  }
  const q = new URLSearchParams(search);
  return { kind: 'home', category: q.get('cat') ?? undefined, query: q.get('q') ?? '' };
}

/** `#/?cat=tents&q=dome` for a shop-front state. */
export function homeHash(category: string | undefined, query: string): string {
  const q = new URLSearchParams();
  if (category !== undefined) q.set('cat', category);
  if (query !== '') q.set('q', query);
  const s = q.toString();
  return s === '' ? '#/' : `#/?${s}`;
}
