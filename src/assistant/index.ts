/**
 * The support assistant (answers from the shop's own pages on the device). Pure on import.
 *
 * @example
 * import { createEngine, createAssistant } from 'inpage';
 * const assistant = await createAssistant({ engine: await createEngine(), knowledgeUrl: '/knowledge/knowledge.json' });
 */
export { createAssistant, type Assistant, type AssistantAnswer, type AssistantEngineLike, type AssistantOptions, type AnswerSource } from './assistant.ts';
export { checkGrounding, type GroundingVerdict } from './grounding.ts';
export type { KnowledgeDoc, KnowledgeManifest, RetrievalSettings } from './knowledge.ts';
export type { LiveProduct, ProductSource } from './products.ts';
