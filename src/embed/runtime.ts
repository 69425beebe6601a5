/**
 * The script tag's runtime module (dist/cdn/inpage-runtime.js): the npm package's API, loaded by
 * inpage.js with `import()` from the script's own origin when an element or a call first needs
 * it, so the page downloads only the small loader before idle. Pure on import.
 *
 * @example
 * const rt = await import('https://cdn.example.com/inpage/inpage-runtime.js');
 * const engine = await rt.createEngine({ workerUrl: 'https://cdn.example.com/inpage/inpage-worker.js' });
 */
export * from '../index.ts';
export { createRecommender } from '../recommend/index.ts';
export type { ItemInfo, Recommendation, RecommendOptions, Recommender, RecommenderOptions, Strategy, TrackInput } from '../recommend/index.ts';
export { defineRecommendationsElement, type RecommendationsElementOptions, type RecommendationsSource } from './element.ts';
