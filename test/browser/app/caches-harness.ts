/**
 * Browser test harness for the caches, which are not public exports: exposes ModelStore and
 * ResultCache (from source, built by Vite) so Playwright can drive real Cache Storage and
 * IndexedDB.
 */
import { ModelStore } from '../../../src/caches/model-store.ts';
import { ResultCache } from '../../../src/caches/result-cache.ts';
import { sha256Hex } from '../../../src/caches/hash.ts';

const inpageCaches = { ModelStore, ResultCache, sha256Hex };

declare global {
  interface Window { inpageCaches: typeof inpageCaches }
}
window.inpageCaches = inpageCaches;
document.getElementById('status')!.textContent = 'harness ready';
