/**
 * `inpage update-catalog --reco <dir> --catalog <new.json> --out <dir>`: a new package for today's
 * catalogue from a trained one, without retraining (tools/train/update-catalog.ts).
 */
import { numberFlag, parseFlags, required } from './args.ts';
import type { Command } from './commands.ts';
import { readCatalogText } from '../encoder/catalog-text.ts';
import { readCatalog } from '../train/catalog.ts';
import { DEFAULT_NEW_ITEM_SETTINGS } from '../train/new-items.ts';
import { updateCatalog } from '../train/update-catalog.ts';

export const updateCatalogCommand: Command = {
  summary: 'apply a new catalogue to a trained package without retraining: new items from their content, removed items gone, prices and stock updated',
  usage: 'inpage update-catalog --reco <package dir> --catalog <catalog.json> --out <dir> [--fixed-names]\n' +
    '                      [--new-item-spread <x>] [--new-item-prior <q>]\n' +
    '  New products get vectors from their category, brand, tags and price band (the trained items\n' +
    '  sharing them) and a high prior of their category; removed products leave the model; titles,\n' +
    '  prices and stock come from the new catalogue. The search half is rebuilt with the package\'s own\n' +
    '  encoder: new and changed items are encoded from their text, so `rec.search()` finds them;\n' +
    '  removed ones are gone.\n' +
    '  Upload the new files, then manifest.json last (docs/DEPLOY.md).\n' +
    `  --new-item-spread   how far a new item's vector leans to its features, 1 = the plain mean of their\n` +
    `                      items (default ${DEFAULT_NEW_ITEM_SETTINGS.spread}, chosen on the demo shop's validation split)\n` +
    `  --new-item-prior    quantile of its category's popularity priors a new item gets, 0..1\n` +
    `                      (default ${DEFAULT_NEW_ITEM_SETTINGS.priorQuantile}; \`inpage eval\` tunes both per shop and prints its choice)`,
  async run(argv, io) {
    const v = parseFlags(argv, { reco: { type: 'string' }, catalog: { type: 'string' }, out: { type: 'string' }, 'fixed-names': { type: 'boolean' }, 'new-item-spread': { type: 'string' }, 'new-item-prior': { type: 'string' } });
    const spread = numberFlag(v, 'new-item-spread', 0, 100);
    const priorQuantile = numberFlag(v, 'new-item-prior', 0, 1);
    const reco = required(v, 'reco');
    const out = required(v, 'out');
    const catalogPath = required(v, 'catalog');
    const catalog = await readCatalog(catalogPath);
    const texts = await readCatalogText(catalogPath);
    const t0 = performance.now();
    const r = await updateCatalog(reco, catalog, out, {
      texts, hashedNames: v['fixed-names'] !== true,
      newItems: { ...(spread === undefined ? {} : { spread }), ...(priorQuantile === undefined ? {} : { priorQuantile }) },
    });
    const files = { ...r.search?.manifest.files, ...r.manifest.files };
    for (const [name, f] of Object.entries(files)) io.out(`  ${out}/${name}  ${f.bytes.toLocaleString('en')} bytes  sha256 ${f.sha256.slice(0, 16)}…`);
    if (r.search !== undefined) io.out(`  ${out}/search.json`);
    io.out(`  ${out}/manifest.json`);
    const sample = (ids: string[]): string => (ids.length === 0 ? '' : ` (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''})`);
    io.out(`${r.manifest.dims.items} items: ${r.kept} kept (${r.changed} with a new price, stock, title or category), ${r.added.length} added${sample(r.added)}, ${r.removed.length} removed${sample(r.removed)}, in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${r.search === undefined ? 'no search index (the package had none)' : `search: ${r.search.encoded} items encoded, ${r.search.reused} kept their index rows`}`);
    return 0;
  },
};
