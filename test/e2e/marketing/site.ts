/**
 * The marketing-site fixture: a landing page (hero photo, copy, `trending` and `for-you` below the
 * fold) and a product page (`similar` and `for-you`), with or without the documented script tag
 * (the `<!--inpage-->` blocks: `inpage.css` and `inpage.js`). Served as a site serves pages: HTML
 * revalidated (`no-cache`, never `no-store`, which keeps a page out of the back/forward cache),
 * the recommender package for a few minutes, static files longer. Used by test/e2e/marketing.spec.ts and the bench (bench/site/).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type RunningServer } from '../../server/static-server.ts';
import { heroJpeg } from './hero.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** The pages of the site. */
export const PAGES = ['index.html', 'product.html'] as const;

/** How the pages carry the SDK. */
export interface SiteVariant {
  /** Include inpage.css and inpage.js from `cdn`. */
  tag: boolean;
  /** The script tag's `data-consent` (default: none, i.e. 'granted'). */
  consent?: 'required';
}

/** One page's HTML for a variant. */
export function pageHtml(template: string, cdn: string, variant: SiteVariant): string {
  let html = variant.tag ? template.replace(/<!--\/?inpage-->/g, '') : template.replace(/\s*<!--inpage-->[\s\S]*?<!--\/inpage-->/g, '');
  if (variant.consent) html = html.replace('data-manifest=', `data-consent="${variant.consent}" data-manifest=`);
  return html.replaceAll('%CDN%', cdn);
}

/** Writes the site for `variant` into `dir` (the hero is generated: the same bytes every time). */
export async function writeMarketingSite(dir: string, cdn: string, variant: SiteVariant): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const page of PAGES) await writeFile(join(dir, page), pageHtml(await readFile(here(page), 'utf8'), cdn, variant));
  for (const file of ['site.css', 'site.js']) await writeFile(join(dir, file), await readFile(here(file)));
  await writeFile(join(dir, 'hero.jpg'), heroJpeg());
}

/**
 * Serves `dir` (the pages) and `publicDir` (the recommender package under /reco/, product images
 * under /shop/images/) on one origin. HTML revalidates on every view; the package is cached for
 * `packageCache` (default `public, max-age=300`, what docs/EMBED.md advises: a new package reaches
 * every visitor within 5 minutes, and a repeat view checks its remembered lists without a round
 * trip); images for an hour.
 */
export function serveMarketingSite(dir: string, publicDir: string, packageCache = 'public, max-age=300'): Promise<RunningServer> {
  return serve({
    roots: [dir, publicDir],
    cacheControl: (p) => (p === '/' || p.endsWith('.html') ? 'no-cache' : p.startsWith('/reco/') ? packageCache : 'public, max-age=3600'),
  });
}
