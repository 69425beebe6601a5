/**
 * The element's stylesheet. Applied as a constructable stylesheet (`adoptedStyleSheets`), which
 * a page CSP does not treat as inline style, so no `style-src 'unsafe-inline'` is needed.
 *
 * Theming: every colour, size and font is a CSS custom property with a default (set them on the
 * element or any ancestor), and every box has a `part` for `::part()` rules:
 *   root, heading, list, card, link, image, title, price, reason, skeleton, and for the "Why
 *   these?" disclosure why, why-summary, why-body, why-text, forget, forget-status, notice.
 *
 * No layout shift: the skeleton card has the same boxes with the same fixed heights as a real
 * card (image by aspect ratio, title clamped to two lines, one line each for price and reason),
 * so replacing one with the other moves nothing.
 */
export const ELEMENT_CSS = `
:host{display:block;font:var(--inpage-font,inherit);color:var(--inpage-color,inherit);contain:layout style}
:host([hidden]){display:none}
h2{font-size:var(--inpage-heading-size,1.125em);font-weight:600;line-height:1.3;height:1.3em;margin:0 0 var(--inpage-gap,12px);overflow:hidden}
ul{list-style:none;margin:0;padding:0;display:grid;gap:var(--inpage-gap,12px);grid-template-columns:repeat(auto-fill,minmax(var(--inpage-card-width,160px),1fr))}
li{display:block;min-width:0;background:var(--inpage-card-background,transparent);border:var(--inpage-card-border,1px solid #0001);border-radius:var(--inpage-radius,8px)}
a,.c{display:flex;flex-direction:column;gap:4px;padding:var(--inpage-card-padding,8px);color:inherit;text-decoration:none;border-radius:inherit}
a:hover .t{text-decoration:underline}
a:focus-visible{outline:var(--inpage-focus-ring,2px solid #1a73e8);outline-offset:2px}
img,.i{display:block;width:100%;height:auto;aspect-ratio:var(--inpage-image-ratio,1);object-fit:cover;border-radius:calc(var(--inpage-radius,8px) / 2);background:var(--inpage-skeleton-color,#0000000f)}
.t,.p,.r{display:block;overflow:hidden;line-height:1.3}
.t{height:2.6em;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical}
.p{height:1.3em;font-weight:600;color:var(--inpage-price-color,inherit)}
.r{height:1.3em;font-size:.85em;white-space:nowrap;text-overflow:ellipsis;opacity:.75}
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

/** One shared sheet per document (built on first use; the element adopts it in each shadow root). */
let sheet: CSSStyleSheet | undefined;

/**
 * Styles `root`. Falls back to a `<style>` element where constructable stylesheets are missing
 * (a strict CSP may block that fallback; the cards then render unstyled but still work).
 */
export function applyStyles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(ELEMENT_CSS);
    }
    root.adoptedStyleSheets = [sheet];
    return;
  }
  const style = root.ownerDocument.createElement('style');
  style.textContent = ELEMENT_CSS;
  root.append(style);
}
