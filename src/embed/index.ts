/**
 * `inpage/embed`: the recommendations custom element for npm users (the script tag defines it by
 * itself). Pure on import: nothing is defined until you call `defineRecommendationsElement`.
 *
 * @example
 * import { createEngine, createRecommender } from 'inpage';
 * import { defineRecommendationsElement } from 'inpage/embed';
 * const rec = createEngine().then((engine) => createRecommender({ engine, manifestUrl: '/reco/manifest.json' }));
 * defineRecommendationsElement({ recommender: () => rec, imageTemplate: '/shop/images/{id}.svg', linkTemplate: '/p/{id}', currency: 'EUR' });
 */
export { defineRecommendationsElement, type RecommendationsElementOptions, type RecommendationsSource, type RecommendationsState, type SourceRecommendation } from './element.ts';
export { createLastLists, packageVersion, type LastLists, type LastListsOptions, type PackageManifest, type RememberedCard } from './last-list.ts';
export { ELEMENT_STRINGS, stringsFor, type ElementStrings, type StringTable } from './strings.ts';
export { defineAssistantElement, renderAnswer, type AssistantElementOptions } from './assistant-element.ts';
export { formatPrice, type CardFormat } from './cards.ts';
export { safeHttpUrl, fillUrlTemplate } from './safe-url.ts';
export { ELEMENT_CSS, RESERVE_CSS } from './styles.ts';
