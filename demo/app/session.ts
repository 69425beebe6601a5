/**
 * One engine and the shop's recommender on it, built only from the public API. The recommender
 * loads its model through `engine.load(source, { signal })`; to give that load a progress
 * callback, the batching choice and the result cache, we hand `createRecommender` a thin
 * structural engine that adds those options (its `engine` option is typed structurally, so this
 * needs no internals). The same wrapper passes the live result-cache switch to every run, and
 * hands `rec.search()` the engine's own `pipeline()` for the catalogue encoder.
 */
import {
  createEngine, createRecommender,
  type Engine, type EngineInfo, type LoadProgress, type Model, type Recommender, type RecommenderOptions,
} from 'inpage';
import { DEMO_EXPERIMENT, demoPageUrl } from './experiment.ts';
import { pageWait } from './page-wait.ts';
import type { Settings } from './settings.ts';

export interface Session {
  engine: Engine;
  rec: Recommender;
  /** The recommender's model handle: backend, source (network or a cache store), batching. */
  model: Model;
  /** `engine.info()` after the model loaded, so it includes the measured backend choice. */
  info: EngineInfo;
  settings: Settings;
}

export interface SessionHooks {
  onProgress(p: LoadProgress): void;
  /** Read on every run, so the result-cache switch takes effect without a reload. */
  cacheEnabled(): boolean;
  /** Called as soon as the engine exists (before the model loads), to subscribe to its events. */
  onEngine(engine: Engine): void;
  /** Told, for each model run, how long the page stayed busy after the call (page-wait.ts). */
  onPageWait?(ms: number): void;
}

/** `item_list_name` of the demo's rows in analytics events. */
const LIST_NAMES: Readonly<Record<string, string>> = { 'for-you': 'For you', similar: 'Similar items', 'complete-the-look': 'Complete the look', trending: 'Trending' };

/** The recommender package written by `npm run assets`, next to the page. */
export const MANIFEST_URL = './reco/manifest.json';

/** Loads the recommender on an existing engine with the demo's load options. */
export async function openRecommender(engine: Engine, settings: Settings, hooks: SessionHooks): Promise<{ rec: Recommender; model: Model }> {
  let model: Model | undefined;
  const withOptions: RecommenderOptions['engine'] & Pick<Engine, 'pipeline'> = {
    async load(source, opts) {
      // The first load is the recommender (the panel shows its progress); later ones (the search
      // index, on the first search) load quietly.
      const first = model === undefined;
      const m = await engine.load(source, {
        ...opts,
        ...(first ? { onProgress: hooks.onProgress } : {}),
        // Always built with the cache so the switch can turn it on or off per run.
        resultCache: true,
        ...(settings.batch ? {} : { batch: false as const }),
      });
      model ??= m;
      return {
        run: (feeds, o) => {
          if (hooks.onPageWait) void pageWait().then(hooks.onPageWait);
          return m.run(feeds, { ...o, cache: hooks.cacheEnabled() });
        },
        dispose: () => m.dispose(),
      };
    },
    pipeline: engine.pipeline.bind(engine),
  };
  const rec = await createRecommender({ engine: withOptions, manifestUrl: MANIFEST_URL, experiment: DEMO_EXPERIMENT, pageUrl: demoPageUrl, analytics: { currency: 'EUR', listNames: LIST_NAMES } });
  if (model === undefined) throw new Error('demo: createRecommender resolved without loading its model');
  return { rec, model };
}

/** A new engine with `settings.backend`, and the recommender on it. */
export async function openSession(settings: Settings, hooks: SessionHooks): Promise<Session> {
  const engine = await createEngine({ backend: settings.backend });
  hooks.onEngine(engine);
  try {
    const { rec, model } = await openRecommender(engine, settings, hooks);
    return { engine, rec, model, info: await engine.info(), settings };
  } catch (e) {
    await engine.dispose().catch(() => {});
    throw e;
  }
}
