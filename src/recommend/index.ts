/**
 * In-page recommendations: the public surface of `src/recommend`. Pure on import.
 *
 * @example
 * import { createRecommender } from 'inpage';
 * const rec = await createRecommender({ engine, manifestUrl: '/reco/manifest.json' });
 */
export { createRecommender } from './recommender.ts';
export type {
  ItemInfo,
  Recommendation,
  RecommendOptions,
  Recommender,
  RecommenderOptions,
  Strategy,
  TrackInput,
} from './recommender.ts';
export type { RecommendFilter } from './candidates.ts';
export type { EngineLike, ModelLike } from './engine-like.ts';
export type { StorageLike, TrackedEvent } from './history.ts';
export type { FetchLike } from './load.ts';
export type { RecommenderItems, RecommenderManifest, FileEntry } from './manifest.ts';
export type { ReasonBasis } from './reasons.ts';
export type { EncoderLike, PipelineEngineLike, RecentSearch, SearchManifest, SearchOptions, SearchResult } from './search.ts';
export { DEFAULT_WEIGHTING, EVENT_TYPES, TRACK_EVENT_TYPES } from './weights.ts';
export type { RecEventType, TrackEventType, Weighting } from './weights.ts';
