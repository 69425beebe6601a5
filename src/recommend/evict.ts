/**
 * After a redeploy with content-addressed names (`recommender.<hash>.onnx`), the previous
 * version's model-cache entries live under other URLs, so storing the new one evicts nothing.
 * Once a package has loaded, the entries of *its own folder* with a content-addressed name of
 * the same kind that the current manifest does not name are deleted. Best effort: an engine
 * without `cache.delete` (a test double, an older engine) keeps them.
 */
import type { EngineLike } from './engine-like.ts';

/** The engine's model cache, where it has one. */
interface CacheApi {
  list(): Promise<readonly { url: string }[]>;
  delete(url: string): Promise<void>;
}

function cacheOf(engine: EngineLike): CacheApi | undefined {
  const c = (engine as { cache?: Partial<CacheApi> }).cache;
  return typeof c?.list === 'function' && typeof c.delete === 'function' ? (c as CacheApi) : undefined;
}

/** Content-addressed names `inpage train` writes, by kind (the path relative to the package folder). */
export const STALE_KINDS = {
  recommender: /^recommender\.[0-9a-f]{16}\.onnx$/,
  search: /^(search\.[0-9a-f]{16}\.onnx|encoder-[0-9a-f]{16}\/.+)$/,
} as const;

/**
 * Deletes cached entries under `folder` whose relative path matches `kind` and is not in `keep`
 * (absolute URLs). Resolves with the URLs deleted; never rejects.
 */
export async function evictStale(engine: EngineLike, folder: string, kind: RegExp, keep: ReadonlySet<string>): Promise<string[]> {
  const cache = cacheOf(engine);
  if (cache === undefined) return [];
  try {
    const stale = [...new Set((await cache.list()).map((e) => e.url))].filter((u) => u.startsWith(folder) && kind.test(u.slice(folder.length)) && !keep.has(u));
    for (const u of stale) await cache.delete(u);
    return stale;
  } catch {
    return []; // the next successful load tries again
  }
}
