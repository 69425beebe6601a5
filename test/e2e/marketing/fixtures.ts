/**
 * Playwright fixtures for the marketing site (site.ts): the e2e fixtures' CDN origin for
 * inpage.js, and the site on its own origin per variant, written into this worker's folder. The
 * in-page recorder (record.ts) comes along.
 */
import { root, test as base } from '../fixtures.ts';
import type { RunningServer } from '../../server/static-server.ts';
import { serveMarketingSite, writeMarketingSite, type SiteVariant } from './site.ts';

export { expect } from '../fixtures.ts';
export { allSettled, recordStates, sequences, states, type StateChange } from './record.ts';

export interface MarketingFixtures {
  /** The marketing site for `variant` (started on first use, one per variant and worker). */
  marketing: (variant: SiteVariant) => Promise<RunningServer>;
}

export const test = base.extend<object, MarketingFixtures>({
  marketing: [async ({ servers }, use, info) => {
    const started = new Map<string, Promise<RunningServer>>();
    await use((variant) => {
      const name = `${variant.tag ? 'tag' : 'bare'}${variant.consent ? `-${variant.consent}` : ''}`;
      let s = started.get(name);
      if (!s) {
        const dir = root(`test/.build/e2e/w${info.workerIndex}/marketing-${name}`);
        s = writeMarketingSite(dir, servers.cdn.url, variant).then(() => serveMarketingSite(dir, root('public')));
        started.set(name, s);
      }
      return s;
    });
    for (const s of started.values()) await (await s).close();
  }, { scope: 'worker' }],
});
