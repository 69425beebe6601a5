/**
 * The slice of the engine API the recommender needs, as structural types: the recommender is a
 * domain layer on the public engine API only (DESIGN.md), and tests can hand it a fake engine.
 *
 * @example
 * const engine: EngineLike = await createEngine({ backend: 'auto' });
 */
import type { ItemTableFromWorker } from '../protocol.ts';
import type { Tensor, TensorInfo } from '../tensor.ts';

/** A loaded model: `model.run(feeds)` resolves to named output tensors. */
export interface ModelLike {
  run(feeds: Record<string, Tensor>, options?: { signal?: AbortSignal }): Promise<Record<string, Tensor>>;
  dispose(): Promise<void>;
  /** The graph's inputs and outputs (the engine's models have them; checked against the manifest at load). */
  readonly inputs?: readonly TensorInfo[];
  readonly outputs?: readonly TensorInfo[];
}

/**
 * What loads models: `engine.load({ url, sha256 })`. The recommender passes `cache: false` while
 * consent is required and not given, so the model cache stays untouched too.
 */
export interface EngineLike {
  load(source: { url: string; sha256?: string }, options?: { signal?: AbortSignal; cache?: boolean; worker?: string; maxBytes?: number }): Promise<ModelLike>;
  /** Parses a large items.json in the engine's worker (see `Engine.parseItemTable`); absent: parsed on the page. */
  parseItemTable?(bytes: Uint8Array, items: number, where: string, options?: { signal?: AbortSignal; sha256?: string }): Promise<ItemTableFromWorker>;
}
