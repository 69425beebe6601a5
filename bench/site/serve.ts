/**
 * The marketing site for the site scenarios (repeat-view.ts, vitals.ts): the script-tag build on
 * a CDN origin (localhost, cacheable, CORS as a CDN sends it) and the site's pages on another
 * (127.0.0.1), with and without the tag. Builds dist/cdn first, so the figures are of the
 * current sources.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve, type RunningServer } from '../../test/server/static-server.ts';
import { serveMarketingSite, writeMarketingSite } from '../../test/e2e/marketing/site.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** The running origins. */
export interface SiteServers {
  cdn: RunningServer;
  /** The pages with the script tag; the recommender package cached for 5 minutes (docs/EMBED.md). */
  tag: RunningServer;
  /** The same site serving the package with `no-cache`: every page view revalidates the manifest. */
  tagRevalidate: RunningServer;
  /** The same pages without it. */
  bare: RunningServer;
  close(): Promise<void>;
}

/** Builds the script tag, writes both variants of the site under bench/.data/site and serves them. */
export async function startSite(): Promise<SiteServers> {
  execFileSync(process.execPath, [here('../../node_modules/tsx/dist/cli.mjs'), here('../../scripts/build-dist.ts'), 'iife'], { stdio: 'ignore' });
  const cdn = await serve({
    roots: [here('../../dist/cdn')], host: 'localhost',
    headers: { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' },
    cacheControl: () => 'public, max-age=3600',
  });
  const start = async (tag: boolean, packageCache?: string): Promise<RunningServer> => {
    const dir = here(`../.data/site/${tag ? 'tag' : 'bare'}`);
    await writeMarketingSite(dir, cdn.url, { tag });
    return serveMarketingSite(dir, here('../../public'), packageCache);
  };
  const [tag, tagRevalidate, bare] = [await start(true), await start(true, 'no-cache'), await start(false)];
  return { cdn, tag, tagRevalidate, bare, close: async () => { for (const s of [tag, tagRevalidate, bare, cdn]) await s.close(); } };
}
