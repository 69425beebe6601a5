/**
 * `inpage update-catalog`: a new package from a trained one and today's catalogue, in seconds,
 * without retraining:
 * - items still in the catalogue keep their vectors, priors and followers;
 * - removed items leave the model (and every follower list): they can never be returned;
 * - new items get vectors and priors from their content and the kept items sharing it
 *   (new-items.ts: the kept items' mean vector plus a scaled mix of their features' deviations
 *   from it; a high quantile of their category's priors), trending 0, no followers yet; the
 *   package stores no feature rows of its own;
 * - titles, prices, stock and categories come from the new catalogue;
 * - the search half is rebuilt over the new item table with the package's own encoder
 *   (tools/encoder/update-search.ts): new and changed items are encoded, the rest keep their rows.
 */
import { factsOf } from './item-facts.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecommenderItems, RecommenderManifest } from '../../src/recommend/manifest.ts';
import { loadPackage } from '../eval/load-model.ts';
import { sha256Hex } from '../onnx/sha256.ts';
import type { TrainCatalog } from './catalog.ts';
import { DEFAULT_NEW_ITEM_SETTINGS, newItemPriors, newItemVectors, type NewItemSettings } from './new-items.ts';
import { exportRecommender } from './export-onnx.ts';
import { hashedName } from './hashed-name.ts';
import type { ScorerWeights } from './reference.ts';
import type { ItemText } from '../encoder/catalog-text.ts';
import { updateSearchPackage, type SearchUpdate } from '../encoder/update-search.ts';

/** What changed, as `update-catalog` reports it. */
export interface CatalogUpdate {
  manifest: RecommenderManifest;
  kept: number;
  added: string[];
  removed: string[];
  /** Kept items whose price, stock, title or category changed. */
  changed: number;
  /** The rebuilt search half; undefined when the package had none. */
  search?: SearchUpdate;
}

/** Options of {@link updateCatalog}. */
export interface UpdateCatalogOptions {
  /** The new catalogue's text (catalog-text.ts, same file and order as `catalog`): the search half encodes it. */
  texts: readonly ItemText[];
  /** Content-addressed names (`recommender.<sha256:16>.onnx`, …). Default true. */
  hashedNames?: boolean;
  /** How new items are placed; default {@link DEFAULT_NEW_ITEM_SETTINGS} (chosen on validation, new-items.ts). */
  newItems?: Partial<NewItemSettings>;
}

/** The scorer weights over the new catalogue (see the file comment). */
export function updatedWeights(old: ScorerWeights, catalog: TrainCatalog, oldIndex: readonly number[], settings: Readonly<NewItemSettings> = DEFAULT_NEW_ITEM_SETTINGS): ScorerWeights {
  const N = catalog.ids.length;
  const { inVec, outVec } = newItemVectors(catalog, oldIndex, old, settings.spread);
  const itemBias = newItemPriors(catalog, oldIndex, old, settings.priorQuantile);
  const w: ScorerWeights = { items: N, dim: old.dim, inVec, outVec, itemBias, shrink: old.shrink };
  const t = old.transitions;
  if (t !== undefined) {
    const newOf = new Map<number, number>();
    oldIndex.forEach((j, i) => { if (j >= 0) newOf.set(j, i); });
    const index = new Int32Array(N * t.width);
    const strength = new Float32Array(N * t.width);
    oldIndex.forEach((j, i) => {
      if (j < 0) return; // a new item has no followers yet (strength 0 is padding)
      for (let m = 0; m < t.width; m++) {
        const to = newOf.get(t.index[j * t.width + m]!);
        const s = t.strength[j * t.width + m]!;
        // A removed follower becomes padding: never scattered into the scores.
        if (to !== undefined && s !== 0) {
          index[i * t.width + m] = to;
          strength[i * t.width + m] = s;
        }
      }
    });
    w.transitions = { width: t.width, index, strength, recency: t.recency };
  }
  return w;
}

/** The item table over the new catalogue: kept categories keep their complements. */
export function updatedItems(old: RecommenderItems, catalog: TrainCatalog, oldIndex: readonly number[]): RecommenderItems {
  const categories = old.categories.map((c) => ({ ...c, name: catalog.categoryNames.get(c.id) ?? c.name }));
  const catIndex = new Map(categories.map((c, i) => [c.id, i]));
  for (const c of catalog.categories) {
    if (catIndex.has(c)) continue;
    catIndex.set(c, categories.length);
    categories.push({ id: c, name: catalog.categoryNames.get(c) ?? c, complements: [] });
  }
  return {
    format: 'inpage-recommender-items', version: 1,
    ids: [...catalog.ids], titles: [...catalog.titles],
    category: catalog.categories.map((c) => catIndex.get(c)!),
    price: [...catalog.prices], inStock: catalog.inStock.map((s) => (s ? 1 : 0)),
    categories,
    trending: { ...old.trending, scores: oldIndex.map((j) => (j >= 0 ? old.trending.scores[j]! : 0)) },
    ...factsOf(catalog),
  };
}

/**
 * Writes the updated package (content-addressed names; the search half, then manifest.json last)
 * into `outDir`.
 *
 * @example await updateCatalog('public/reco', await readCatalog('new.json'), 'public/reco-next', { texts: await readCatalogText('new.json') });
 */
export async function updateCatalog(recoDir: string, catalog: TrainCatalog, outDir: string, opts: UpdateCatalogOptions): Promise<CatalogUpdate> {
  const hashedNames = opts.hashedNames ?? true;
  const pkg = await loadPackage(recoDir);
  const oldIds = new Map(pkg.items.ids.map((id, j) => [id, j]));
  const oldIndex = catalog.ids.map((id) => oldIds.get(id) ?? -1);
  const weights = updatedWeights(pkg.weights, catalog, oldIndex, { ...DEFAULT_NEW_ITEM_SETTINGS, ...opts.newItems });
  const items = updatedItems(pkg.items, catalog, oldIndex);
  const onnx = exportRecommender(weights, { updatedFrom: pkg.manifest.files[pkg.manifest.model]?.sha256 ?? '' });
  const itemsBytes = new TextEncoder().encode(JSON.stringify(items));
  const model = hashedNames ? hashedName('recommender.onnx', sha256Hex(onnx)) : 'recommender.onnx';
  const itemsName = hashedNames ? hashedName('items.json', sha256Hex(itemsBytes)) : 'items.json';
  const added = catalog.ids.filter((_, i) => oldIndex[i]! < 0);
  const kept = new Set(catalog.ids);
  const removed = pkg.items.ids.filter((id) => !kept.has(id));
  let changed = 0;
  oldIndex.forEach((j, i) => {
    if (j < 0) return;
    const was = pkg.items;
    if (was.price[j] !== items.price[i] || was.inStock[j] !== items.inStock[i] || was.titles[j] !== items.titles[i] || was.categories[was.category[j]!]?.id !== items.categories[items.category[i]!]?.id) changed++;
  });
  const manifest: RecommenderManifest = {
    ...pkg.manifest,
    model, items: itemsName,
    dims: { ...pkg.manifest.dims, items: catalog.ids.length },
    k: Math.min(pkg.manifest.k, catalog.ids.length),
    files: { [model]: { bytes: onnx.length, sha256: sha256Hex(onnx) }, [itemsName]: { bytes: itemsBytes.length, sha256: sha256Hex(itemsBytes) } },
    training: { ...pkg.manifest.training, catalogUpdate: { from: pkg.manifest.files[pkg.manifest.model]?.sha256 ?? '', at: new Date().toISOString(), added: added.length, removed: removed.length, changed } },
  };
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, model), onnx);
  await writeFile(join(outDir, itemsName), itemsBytes);
  const search = await updateSearchPackage(recoDir, outDir, {
    texts: opts.texts, itemVectors: weights.inVec, recDim: weights.dim, oldIndex, oldItems: pkg.items, newItems: items, hashedNames,
  });
  // The manifest last: a visitor who reads it finds every file it (and search.json) names in place.
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, kept: catalog.ids.length - added.length, added, removed, changed, ...(search === undefined ? {} : { search }) };
}
