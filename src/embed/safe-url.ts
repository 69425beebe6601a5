/**
 * URL hygiene for anything the element puts into `href` or `src`. Catalog fields are data from a
 * file the site owner may not fully control (a feed, a CMS export): only http(s) URLs and
 * relative URLs (which resolve to the page's own http(s) origin) pass; `javascript:`, `data:`,
 * `vbscript:`, `blob:` and anything unparsable are dropped.
 */

/**
 * The absolute URL if `value` is http(s) or relative, else undefined.
 *
 * @example
 * safeHttpUrl('/p/sku-1', 'https://shop.example/') // 'https://shop.example/p/sku-1'
 * safeHttpUrl('javascript:alert(1)', 'https://shop.example/') // undefined
 */
export function safeHttpUrl(value: string, base: string): string | undefined {
  let url: URL;
  try {
    // The URL parser strips the leading/trailing C0 controls and spaces a browser would ignore,
    // so " javascript:" and "java\tscript:" are judged by the scheme the browser would see.
    url = new URL(value, base);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
}

/**
 * Fills `{id}` (and `{category}`) in a URL template with URI-encoded values, then applies
 * {@link safeHttpUrl}. An id can never add a path segment, query or scheme of its own.
 *
 * @example
 * fillUrlTemplate('/shop/images/{id}.svg', { id: 'sku 1/2' }, 'https://a.example/') // 'https://a.example/shop/images/sku%201%2F2.svg'
 */
export function fillUrlTemplate(template: string, fields: { id: string; category?: string }, base: string): string | undefined {
  // A '.' or '..' value is a dot segment however it is encoded (the URL parser reads '%2E%2E' as
  // '..'), so it would climb the path: no URL rather than a wrong one.
  if (isDotSegment(fields.id) || isDotSegment(fields.category ?? '')) return undefined;
  const filled = template
    .replaceAll('{id}', encodeURIComponent(fields.id))
    .replaceAll('{category}', encodeURIComponent(fields.category ?? ''));
  return safeHttpUrl(filled, base);
}

function isDotSegment(v: string): boolean {
  return v === '.' || v === '..';
}
