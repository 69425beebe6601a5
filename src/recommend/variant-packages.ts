/**
 * The model packages of experiment arms that bring their own (`variants[i].manifest`): loaded
 * once, when a visitor in that arm first needs a list, and kept for the recommender's life. An arm
 * without one uses the recommender's own package.
 *
 * @example
 * const arms = variantPackages(base, (url, signal) => loadRecommender(engine, url, fetch, signal));
 * const pkg = await arms.get(plan.assignment?.manifest, signal); // base, or the arm's own
 */
import { disposedError, toInpageError } from '../errors.ts';
import type { ListPackage } from './list.ts';
import type { LoadedRecommender } from './load.ts';
import { resolveUrl } from './load.ts';

/** A package ready for `recommendList`, with what disposing it needs. */
export interface ArmPackage extends ListPackage {
  manifestUrl: string;
}

/** The arms' packages of one recommender. */
export interface VariantPackages {
  /** The package for an assignment's `manifest` (undefined: the base package). */
  get(manifest: string | undefined, signal?: AbortSignal): Promise<ArmPackage>;
  /** An item's index and package: the base first, then the arms loaded so far. */
  find(itemId: string): { pkg: ArmPackage; index: number } | undefined;
  /** Releases the arms' models (not the base's). */
  dispose(): Promise<void>;
}

/** A loaded package with its id → index map and an empty mask cache (the recommender's own too). */
export function withIndex(p: LoadedRecommender): ArmPackage {
  return { manifestUrl: p.manifestUrl, manifest: p.manifest, items: p.items, model: p.model, index: p.index ?? new Map(p.items.ids.map((id, i) => [id, i])), masks: new Map() };
}

/** `load` is `loadRecommender` bound to the recommender's engine, fetch and cache consent. */
export function variantPackages(base: ArmPackage, load: (url: string, signal?: AbortSignal) => Promise<LoadedRecommender>): VariantPackages {
  const loading = new Map<string, Promise<ArmPackage>>();
  const loaded = new Map<string, ArmPackage>();
  let disposed = false;
  return {
    get(manifest, signal) {
      if (manifest === undefined) return Promise.resolve(base);
      let url: string;
      try {
        url = resolveUrl(manifest, base.manifestUrl);
      } catch (e) {
        return Promise.reject(toInpageError(e, 'OPTION_INVALID', `experiment variant manifest ${JSON.stringify(manifest)}`));
      }
      if (url === base.manifestUrl) return Promise.resolve(base);
      let p = loading.get(url);
      if (p === undefined) {
        p = load(url, signal).then((raw) => {
          const arm = withIndex(raw);
          // Disposed while it loaded: release the session instead of keeping it.
          if (disposed) { void raw.model.dispose(); throw disposedError('Recommender'); }
          loaded.set(url, arm);
          return arm;
        }, (e: unknown) => {
          // Offline, aborted, a bad deploy of the arm's package: the next list tries again.
          loading.delete(url);
          throw toInpageError(e, 'MODEL_FETCH_FAILED', `Loading the experiment variant's package ${url}`);
        });
        loading.set(url, p);
      }
      return p;
    },
    find(itemId) {
      const own = base.index.get(itemId);
      if (own !== undefined) return { pkg: base, index: own };
      for (const arm of loaded.values()) {
        const j = arm.index.get(itemId);
        if (j !== undefined) return { pkg: arm, index: j };
      }
      return undefined;
    },
    async dispose() {
      disposed = true;
      const arms = [...loaded.values()];
      loaded.clear();
      loading.clear();
      await Promise.all(arms.map((a) => a.model.dispose()));
    },
  };
}
