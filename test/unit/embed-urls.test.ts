/**
 * URL hygiene of the recommendations element: only http(s) and relative URLs reach `href` and
 * `src`, and an item id can never add a scheme, path segment or query of its own.
 */
import { describe, expect, it } from 'vitest';
import { fillUrlTemplate, safeHttpUrl } from '../../src/embed/safe-url.ts';
import { formatPrice } from '../../src/embed/cards.ts';

const BASE = 'https://shop.example/catalog/page.html';

describe('safeHttpUrl', () => {
  it('resolves relative and keeps absolute http(s) URLs', () => {
    expect(safeHttpUrl('/p/1', BASE)).toBe('https://shop.example/p/1');
    expect(safeHttpUrl('p/1', BASE)).toBe('https://shop.example/catalog/p/1');
    expect(safeHttpUrl('//cdn.example/x.svg', BASE)).toBe('https://cdn.example/x.svg');
    expect(safeHttpUrl('http://other.example/a?b=1#c', BASE)).toBe('http://other.example/a?b=1#c');
  });

  it.each([
    'javascript:alert(1)', ' javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', '\u0000javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'blob:https://shop.example/1', 'file:///etc/passwd', 'http://[::1',
  ])('drops %j', (url) => {
    expect(safeHttpUrl(url, BASE)).toBeUndefined();
  });
});

describe('fillUrlTemplate', () => {
  it('puts the URI-encoded id (and category) into the template', () => {
    expect(fillUrlTemplate('/shop/images/{id}.svg', { id: 'sku-10001' }, BASE)).toBe('https://shop.example/shop/images/sku-10001.svg');
    expect(fillUrlTemplate('/c/{category}/{id}', { id: 'a b', category: 'tents' }, BASE)).toBe('https://shop.example/c/tents/a%20b');
  });

  it('does not let an id escape its segment or change the scheme', () => {
    expect(fillUrlTemplate('/p/{id}', { id: '../../admin?x=1#y' }, BASE)).toBe('https://shop.example/p/..%2F..%2Fadmin%3Fx%3D1%23y');
    expect(fillUrlTemplate('{id}', { id: 'javascript:alert(1)' }, BASE)).toBe('https://shop.example/catalog/javascript%3Aalert(1)');
  });

  it('rejects a template that is itself unsafe', () => {
    expect(fillUrlTemplate('javascript:go("{id}")', { id: 'x' }, BASE)).toBeUndefined();
    expect(fillUrlTemplate('data:image/svg+xml,<svg>{id}</svg>', { id: 'x' }, BASE)).toBeUndefined();
  });
});

describe('formatPrice', () => {
  it('formats with a currency and locale, else two decimals', () => {
    expect(formatPrice(249.95, { currency: 'EUR', locale: 'en-GB' })).toBe('€249.95');
    expect(formatPrice(1199, { currency: 'USD', locale: 'en-US' })).toBe('$1,199.00');
    expect(formatPrice(18.99, {})).toBe('18.99');
  });

  it('falls back to two decimals on an unknown currency code', () => {
    expect(formatPrice(5, { currency: 'NOT-A-CODE' })).toBe('5.00');
  });
});
