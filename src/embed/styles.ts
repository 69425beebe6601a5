/**
 * The element's stylesheet. Applied as a constructable stylesheet (`adoptedStyleSheets`), which
 * a page CSP does not treat as inline style, so no `style-src 'unsafe-inline'` is needed.
 *
 * Theming: every colour, size and font is a CSS custom property with a default (set them on the
 * element or any ancestor), and every box has a `part` for `::part()` rules:
 *   root, heading, list, card, link, image, title, price, reason, skeleton, and for the "Why
 *   these?" disclosure why, why-summary, why-body, why-text, forget, forget-status, notice.
 *
 * Layout (`layout` attribute): `grid` (default) fills the width it is given, as many columns of at
 * least `--inpage-card-width` as fit, stretched to the edge; `scroll` is one row that scrolls
 * sideways (snapping to cards) when the cards do not fit, and stretches when they do.
 *
 * No layout shift: every card box has a fixed height (the image box `--inpage-image-height`, title
 * and reason two lines each, price one), the skeleton card the same boxes, and
 * {@link RESERVE_CSS} (dist/cdn/inpage.css) reserves exactly one row of them on the page before
 * the script has run.
 */

/** Default sizes, shared by the element's sheet and the page-side reserve sheet. */
const IMAGE_HEIGHT = 'var(--inpage-image-height,160px)';
const CARD_PADDING = 'var(--inpage-card-padding,8px)';
const GAP = 'var(--inpage-gap,12px)';
const HEADING_SIZE = 'var(--inpage-heading-size,1.125em)';
/** Between the four boxes of a card (image, title, price, reason). */
const CARD_GAP_PX = 4;
/** Text boxes of a card, in em of the element's font: title 2 × 1.3, price 1.3, reason 2 × 1.3 at 0.85. */
const CARD_TEXT_EM = 2.6 + 1.3 + 2.6 * 0.85;
/** The default card border (1px) top and bottom. */
const CARD_BORDER_PX = 2;

export const ELEMENT_CSS = `
:host{display:block;font:var(--inpage-font,inherit);color:var(--inpage-color,inherit);contain:layout style}
:host([hidden]){display:none}
h2{font-size:${HEADING_SIZE};font-weight:600;line-height:1.3;height:1.3em;margin:0 0 ${GAP};overflow:hidden}
ul{list-style:none;margin:0;padding:0;display:grid;gap:${GAP};grid-template-columns:repeat(auto-fit,minmax(min(var(--inpage-card-width,160px),100%),1fr))}
:host([layout=scroll]) ul{grid-template-columns:none;grid-auto-flow:column;grid-auto-columns:minmax(var(--inpage-card-width,160px),1fr);overflow-x:auto;overscroll-behavior-x:contain;scroll-snap-type:x mandatory;scroll-padding:0 4px;padding:4px;margin:-4px}
:host([layout=scroll]) li{scroll-snap-align:start}
li{display:block;min-width:0;background:var(--inpage-card-background,transparent);border:var(--inpage-card-border,1px solid #0001);border-radius:var(--inpage-radius,8px)}
a,.c{display:flex;flex-direction:column;gap:${CARD_GAP_PX}px;padding:${CARD_PADDING};color:inherit;text-decoration:none;border-radius:inherit}
a:hover .t{text-decoration:underline}
a:focus-visible{outline:var(--inpage-focus-ring,2px solid #1a73e8);outline-offset:2px}
img,.i{display:block;box-sizing:border-box;width:100%;height:${IMAGE_HEIGHT};aspect-ratio:var(--inpage-image-ratio,auto);object-fit:var(--inpage-image-fit,contain);border-radius:calc(var(--inpage-radius,8px) / 2);background:var(--inpage-skeleton-color,#0000000f)}
.t,.p,.r{display:block;overflow:hidden;line-height:1.3}
.t,.r{height:2.6em;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical}
.p{height:1.3em;font-weight:600;color:var(--inpage-price-color,inherit)}
.r{font-size:.85em;opacity:.75}
.s .t,.s .p,.s .r{background:var(--inpage-skeleton-color,#0000000f);border-radius:4px}
.s .p{width:40%}
.w{display:block;margin-top:var(--inpage-gap,12px);font-size:.85em;line-height:1.3}
.ws{height:1.3em}
summary{cursor:pointer;width:max-content;max-width:100%;opacity:.8}
summary:focus-visible,button:focus-visible,.n:focus-visible{outline:var(--inpage-focus-ring,2px solid #1a73e8);outline-offset:2px}
.wb p{margin:.5em 0;max-width:60ch}
button{font:inherit;color:inherit;background:var(--inpage-button-background,transparent);border:var(--inpage-button-border,1px solid currentColor);border-radius:var(--inpage-radius,8px);padding:.35em .8em;cursor:pointer}
button[aria-disabled=true]{opacity:.6;cursor:progress}
.st:empty{display:none}
.n{font-size:.85em;margin:.5em 0 0}
@media (prefers-reduced-motion:no-preference){.s{animation:inpage-pulse 1.2s ease-in-out infinite}}
@keyframes inpage-pulse{50%{opacity:.55}}
`;

/** One row of cards with the default theme: borders, paddings, the image, gaps and the text boxes. */
const ROW = `calc(${IMAGE_HEIGHT} + 2 * ${CARD_PADDING} + ${CARD_BORDER_PX + 3 * CARD_GAP_PX}px + ${CARD_TEXT_EM}em)`;
/** The heading's box: 1.3 lines of the heading size, then the gap. */
const HEADING = `calc(1.3 * ${HEADING_SIZE} + ${GAP})`;
/** The closed "Why these?" line under a list that may be personalised: the gap, then 1.3 lines at .85em. */
const WHY = `calc(${GAP} + ${0.85 * 1.3}em)`;
/**
 * Elements whose list may be personalised (they end in the disclosure): every strategy but
 * `similar`, `trending` and `complete-the-look` with an item (an unknown strategy is 'for-you').
 * In `:where()`, which adds no specificity: the rule that gives the space back stays the strongest.
 */
const PERSONALISABLE = ':where(:not([strategy=similar],[strategy=trending],[strategy=complete-the-look][item]))';

/**
 * For the page, not the shadow root (dist/cdn/inpage.css, also `inpage/cdn/inpage.css`): load it
 * with a `<link rel="stylesheet">` so the element's space is reserved from the first paint, before
 * the `async` script has run. It reserves one row of cards, exactly (with the default sizes;
 * `--inpage-reserve-height` overrides), plus the heading and the closed "Why these?" line where
 * the element shows them, and gives the space back when the element has nothing to
 * show (`data-state="empty"` or `"error"`). Being a file, it needs `style-src` to allow its
 * origin, never `'unsafe-inline'`.
 */
export const RESERVE_CSS = `/* Inpage: reserve <inpage-recommendations> space before its script runs; give it back when empty. */
inpage-recommendations{display:block;min-height:var(--inpage-reserve-height,${ROW})}
inpage-recommendations[heading]{min-height:var(--inpage-reserve-height,calc(${ROW} + ${HEADING}))}
inpage-recommendations${PERSONALISABLE}{min-height:var(--inpage-reserve-height,calc(${ROW} + ${WHY}))}
inpage-recommendations[heading]${PERSONALISABLE}{min-height:var(--inpage-reserve-height,calc(${ROW} + ${HEADING} + ${WHY}))}
inpage-recommendations:is([data-state=empty],[data-state=error]){min-height:0}
`;

/**
 * Styles `root` with a sheet built once per document (a definition holds it in `cache`). Falls
 * back to a `<style>` element where constructable stylesheets are missing (a strict CSP may block
 * that fallback; the cards then render unstyled but still work).
 */
export function applyStyles(root: ShadowRoot, cache: { sheet?: CSSStyleSheet }): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    if (!cache.sheet) {
      cache.sheet = new CSSStyleSheet();
      cache.sheet.replaceSync(ELEMENT_CSS);
    }
    root.adoptedStyleSheets = [cache.sheet];
    return;
  }
  const style = root.ownerDocument.createElement('style');
  style.textContent = ELEMENT_CSS;
  root.append(style);
}
