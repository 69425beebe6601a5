/**
 * Product images as tiny deterministic SVGs: a category glyph in a brand-tinted colour on a soft
 * background, with the brand's initials. No external images, ~600 bytes each.
 */
import type { GlyphName } from './categories.ts';

/** What a glyph is drawn with: filled shape, or stroked lines (poles, chair legs). */
interface Glyph {
  d: string;
  stroke?: true;
  /** Optional second, darker detail path (door, zip, needle). */
  detail?: string;
}

// 64×64 drawings; kept as short paths so every file stays far below 1 KB.
const GLYPHS: Readonly<Record<GlyphName, Glyph>> = {
  tent: { d: 'M6 50L32 12L58 50Z', detail: 'M25 50L32 34L39 50Z' },
  bag: { d: 'M22 10h20a6 6 0 0 1 6 6v34a6 6 0 0 1-6 6H22a6 6 0 0 1-6-6V16a6 6 0 0 1 6-6Z', detail: 'M24 14h16v10H24Z' },
  pad: { d: 'M8 26h40a8 8 0 0 1 0 16H8Z', detail: 'M48 26a8 8 0 0 1 0 16a4 4 0 0 1 0-16Z' },
  flame: { d: 'M32 6C41 19 49 28 45 42C43 50 37 55 32 55C25 55 19 50 19 42C19 31 28 27 32 6Z', detail: 'M32 30C36 37 38 42 36 47C34 51 30 51 28 47C27 42 30 38 32 30Z' },
  pot: { d: 'M14 26h36v20a6 6 0 0 1-6 6H20a6 6 0 0 1-6-6Z', detail: 'M8 24h48v4H8Z' },
  pack: { d: 'M20 14h24a6 6 0 0 1 6 6v34H14V20a6 6 0 0 1 6-6Z', detail: 'M16 20h32v10H16Z' },
  boot: { d: 'M18 8h16v26l14 8a6 6 0 0 1 4 6v6H18Z', detail: 'M18 50h34v4H18Z' },
  sock: { d: 'M22 8h14v28l10 8a6 6 0 0 1-6 10l-16-8a6 6 0 0 1-2-4Z', detail: 'M22 8h14v6H22Z' },
  jacket: { d: 'M22 10l10 6l10-6l12 8l-4 14l-4-2v26H20V30l-4 2l-4-14Z', detail: 'M31 16h2v40h-2Z' },
  fleece: { d: 'M22 10l10 4l10-4l12 8l-3 16l-5-2v24H18V32l-5 2l-3-16Z', detail: 'M26 10h12v5H26Z' },
  shirt: { d: 'M22 12l10 4l10-4l12 8l-4 8l-6-3v29H20V25l-6 3l-4-8Z' },
  lamp: { d: 'M32 20a12 12 0 1 1 0 24a12 12 0 1 1 0-24Z', detail: 'M6 30h10v4H6ZM48 30h10v4H48ZM30 6h4v10h-4Z' },
  bottle: { d: 'M26 8h12v6l4 6v34a4 4 0 0 1-4 4H26a4 4 0 0 1-4-4V20l4-6Z', detail: 'M22 30h20v12H22Z' },
  poles: { d: 'M22 6L28 58M42 6L36 58', stroke: true, detail: 'M19 10h7v8h-7ZM38 10h7v8h-7Z' },
  chair: { d: 'M16 18h32M16 32h32M18 32L46 56M46 32L18 56M16 18v14M48 18v14', stroke: true },
  compass: { d: 'M32 8a24 24 0 1 1 0 48a24 24 0 1 1 0-48Z', detail: 'M32 14L38 32L32 50L26 32Z' },
};

/** Inputs of one product image. */
export interface ImageSpec {
  glyph: GlyphName;
  /** Category base hue, 0–360. */
  hue: number;
  /** Shifts the hue per brand so the same category looks different across brands. */
  brandIndex: number;
  /** Text in the corner, e.g. brand initials. */
  label: string;
  /** Any stable number per product (varies the accent stripe). */
  variant: number;
}

function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/**
 * The SVG text of one product image.
 *
 * @example productSvg({ glyph: 'tent', hue: 140, brandIndex: 3, label: 'NP', variant: 7 })
 */
export function productSvg(spec: ImageSpec): string {
  const g = GLYPHS[spec.glyph];
  const hue = (spec.hue + ((spec.brandIndex * 17) % 48) - 24 + 360) % 360;
  const fg = `hsl(${hue},55%,40%)`;
  const dark = `hsl(${hue},60%,24%)`;
  const bg = `hsl(${hue},45%,93%)`;
  const stripeY = 4 + (spec.variant % 5) * 12;
  const shape = g.stroke === true
    ? `<path d="${g.d}" fill="none" stroke="${fg}" stroke-width="4" stroke-linecap="round"/>`
    : `<path d="${g.d}" fill="${fg}"/>`;
  const detail = g.detail === undefined ? '' : `<path d="${g.detail}" fill="${dark}"/>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="256" height="256">` +
    `<rect width="64" height="64" fill="${bg}"/>` +
    `<rect y="${stripeY}" width="64" height="3" fill="hsl(${(hue + 180) % 360},40%,80%)"/>` +
    shape +
    detail +
    `<text x="60" y="61" font-family="sans-serif" font-size="6" text-anchor="end" fill="${dark}">${esc(spec.label)}</text>` +
    `</svg>`
  );
}
