/**
 * One subscriber's list, built as the shop's page would build it for that visitor: their events
 * kept as the page's history store keeps them (`capped`), the seen-set rule of the page
 * (`lastDistinct`), then the page's own `recommendList`. Also loads a package from disk through
 * the page's loader (same validation and hash checks).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { capped, type TrackedEvent } from '../../src/recommend/history.ts';
import { recommendList, stepsOf, type ListPackage, type ListRequest, type ListVisitor } from '../../src/recommend/list.ts';
import { loadRecommender, type FetchLike } from '../../src/recommend/load.ts';
import type { Recommendation, Strategy } from '../../src/recommend/recommender.ts';
import { lastDistinct, SEEN_CAP } from '../../src/recommend/seen.ts';
import type { Step } from '../../src/recommend/weights.ts';
import type { SubscriberHistory } from './histories.ts';
import { nodeEngine, type NodeRuntime } from './node-engine.ts';

/** The strategies a newsletter can ask for. */
export type BatchStrategy = Extract<Strategy, 'for-you' | 'similar' | 'trending'>;
export const BATCH_STRATEGIES: readonly BatchStrategy[] = ['for-you', 'similar', 'trending'];

/**
 * What every subscriber's list is built with. No merchandising plan: a batch list has no
 * experiment and no rules (the CLI has no flags for them).
 */
export interface BatchRequest extends Omit<ListRequest, 'strategy' | 'itemId' | 'plan' | 'facts'> {
  strategy: BatchStrategy;
  /** Leave out items the subscriber already interacted with (the page's default). */
  excludeSeen: boolean;
}

/** `'personal'`: built from the subscriber's history; `'trending'`: no usable history (or asked for trending). */
export type ListKind = 'personal' | 'trending';

/** A subscriber's result. */
export interface SubscriberList {
  id: string;
  list: ListKind;
  recs: Recommendation[];
}

/** Reads `file:` URLs: the page's loader fetches the package with this in Node. */
export const fileFetch: FetchLike = async (url) => {
  const bytes = await readFile(fileURLToPath(url));
  return { ok: true, status: 200, arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer };
};

/** Loads `<dir>/manifest.json` with the page's loader on a Node engine. */
export async function openPackage(dir: string, runtime: NodeRuntime): Promise<{ pkg: ListPackage; runtime: NodeRuntime; dispose: () => Promise<void> }> {
  const engine = await nodeEngine({ runtime, read: async (url) => new Uint8Array(await readFile(fileURLToPath(url))) });
  const manifestUrl = pathToFileURL(`${dir.replace(/\/+$/, '')}/manifest.json`);
  const { manifest, items, model } = await loadRecommender(engine, manifestUrl, fileFetch);
  const pkg: ListPackage = { manifest, items, model, index: new Map(items.ids.map((id, i) => [id, i])), masks: new Map() };
  return { pkg, runtime: engine.runtime, dispose: () => model.dispose() };
}

/** The page's default `historyCap`: 50 steps, or the model's history when longer. */
const historyCap = (pkg: ListPackage): number => Math.max(50, pkg.manifest.dims.history);

/** The page's anchor rule: the newest of the strongest steps. */
function strongest(history: readonly Step[]): number {
  let best = -1;
  for (let i = history.length - 1; i >= 0; i--) if (best < 0 || history[i]!.code > history[best]!.code) best = i;
  return history[best]!.item;
}

/** A subscriber as the page's list sees them: their visitor state and the request for their list. */
export interface SubscriberRequest {
  visitor: ListVisitor;
  request: ListRequest;
  /** False when the list falls back to trending (no usable history, or trending asked for). */
  personal: boolean;
}

/**
 * A subscriber's events as the page's state (`capped` history as steps, `lastDistinct` seen-set)
 * and their list's request: 'trending' without usable history, the strongest item as the anchor
 * of 'similar'.
 */
export function subscriberRequest(pkg: ListPackage, sub: SubscriberHistory, req: BatchRequest): SubscriberRequest {
  const events: TrackedEvent[] = sub.events.map(([itemId, type, time]) => ({ itemId, type, time }));
  const history = stepsOf(capped(events, historyCap(pkg)), pkg.index);
  const personal = req.strategy !== 'trending' && history.length > 0;
  const seen = req.excludeSeen ? lastDistinct(events.map((e) => e.itemId), SEEN_CAP) : undefined;
  const strategy: Strategy = personal ? req.strategy : 'trending';
  const itemId = strategy === 'similar' ? pkg.items.ids[strongest(history)] : undefined;
  return { visitor: { personal: true, history, seen }, request: { strategy, k: req.k, itemId, filter: req.filter, exclude: req.exclude }, personal };
}

/**
 * Builds one subscriber's list with the page's `recommendList`, one model run per subscriber
 * (batched-lists.ts builds a chunk's lists in a few runs; tests hold the two equal). `now` is
 * only the anchor's time for 'similar' (ages are relative to the newest step).
 */
export async function subscriberList(pkg: ListPackage, sub: SubscriberHistory, req: BatchRequest, now: number): Promise<SubscriberList> {
  const { visitor, request, personal } = subscriberRequest(pkg, sub, req);
  const recs = await recommendList(pkg, visitor, request, now);
  return { id: sub.id, list: personal ? 'personal' : 'trending', recs };
}
