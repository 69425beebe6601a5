/**
 * Builds the element's cards with DOM APIs only: every catalog field is set as `textContent` or
 * as an attribute value, never parsed as HTML, and every URL goes through `fillUrlTemplate`, so no
 * catalog field can inject markup, script or a `javascript:` link.
 */
import type { ItemInfo } from '../recommend/index.ts';
import { fillUrlTemplate } from './safe-url.ts';

/** How cards look up their URLs and format prices. */
export interface CardFormat {
  /** `{id}` template for the image; no image box content without it. */
  imageTemplate?: string | undefined;
  /** `{id}` template for the product page; cards are not links without it. */
  linkTemplate?: string | undefined;
  /** ISO 4217 code; without it the price is a plain number with two decimals. */
  currency?: string | undefined;
  locale?: string | undefined;
  /** Base for relative URLs (the page). */
  base: string;
  /** Formats prices, made once by {@link priceFormatter} (default: a new formatter per card). */
  prices?: ((price: number) => string) | undefined;
}

/** One card's data. */
export interface CardData {
  item: ItemInfo;
  reason: string;
  /** 0-based position in the list. */
  position: number;
}

function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, cls: string, part: string): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  if (cls) node.className = cls;
  node.setAttribute('part', part);
  return node;
}

/**
 * Formats a price; an unknown currency or locale falls back to two decimals instead of throwing.
 *
 * @example formatPrice(249.95, { currency: 'EUR', locale: 'de-DE', base: '' }) // '249,95 €'
 */
export function formatPrice(price: number, fmt: Pick<CardFormat, 'currency' | 'locale'>): string {
  return priceFormatter(fmt)(price);
}

/**
 * A price formatter to reuse: building an `Intl.NumberFormat` costs far more than formatting with
 * one (it showed as the element's largest main-thread cost in a profile of the marketing page).
 *
 * @example const prices = priceFormatter({ currency: 'EUR', locale: 'de-DE' }); prices(249.95) // '249,95 €'
 */
export function priceFormatter(fmt: Pick<CardFormat, 'currency' | 'locale'>): (price: number) => string {
  if (fmt.currency) {
    try {
      const nf = new Intl.NumberFormat(fmt.locale || undefined, { style: 'currency', currency: fmt.currency });
      return (price) => nf.format(price);
    } catch { /* fall through */ }
  }
  return (price) => price.toFixed(2);
}

/** True when the cards `b` would render exactly as the cards `a` (same items, text and order). */
export function sameCards(a: readonly CardData[], b: readonly CardData[]): boolean {
  return a.length === b.length && a.every((x, i) => {
    const y = b[i]!;
    return x.item.id === y.item.id && x.item.title === y.item.title && x.item.price === y.item.price && x.item.category === y.item.category && x.reason === y.reason;
  });
}

/** A skeleton card: the same boxes and heights as a real one, hidden from assistive tech. */
export function skeletonCard(doc: Document): HTMLLIElement {
  const li = el(doc, 'li', 's', 'card skeleton');
  li.setAttribute('aria-hidden', 'true');
  const box = el(doc, 'div', 'c', 'link');
  box.append(el(doc, 'div', 'i', 'image'), el(doc, 'span', 't', 'title'), el(doc, 'span', 'p', 'price'), el(doc, 'span', 'r', 'reason'));
  li.append(box);
  return li;
}

/**
 * A product card: link (when the link template gives a safe URL) → image, title, price, reason.
 * The item id travels in `data-item` for click tracking.
 */
export function productCard(doc: Document, card: CardData, fmt: CardFormat): HTMLLIElement {
  const { item } = card;
  const li = el(doc, 'li', '', 'card');
  const href = fmt.linkTemplate ? fillUrlTemplate(fmt.linkTemplate, item, fmt.base) : undefined;
  const box = href ? el(doc, 'a', '', 'link') : el(doc, 'div', 'c', 'link');
  if (box instanceof HTMLAnchorElement && href) box.href = href;
  box.dataset['item'] = item.id;
  box.dataset['position'] = String(card.position);
  const src = fmt.imageTemplate ? fillUrlTemplate(fmt.imageTemplate, item, fmt.base) : undefined;
  if (src) {
    const img = el(doc, 'img', '', 'image');
    img.src = src;
    img.alt = item.title;
    img.loading = 'lazy';
    img.decoding = 'async';
    box.append(img);
  } else {
    box.append(el(doc, 'div', 'i', 'image'));
  }
  const title = el(doc, 'span', 't', 'title');
  title.textContent = item.title;
  const price = el(doc, 'span', 'p', 'price');
  price.textContent = (fmt.prices ?? priceFormatter(fmt))(item.price);
  const reason = el(doc, 'span', 'r', 'reason');
  reason.textContent = card.reason;
  box.append(title, price, reason);
  li.append(box);
  return li;
}
