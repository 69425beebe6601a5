/**
 * `inpage update-catalog --reco <dir> --catalog <new.json> --out <dir>`: a new package for today's
 * catalogue from a trained one, without retraining (tools/train/update-catalog.ts).
 */
import { parseFlags, required } from './args.ts';
import type { Command } from './commands.ts';
import { readCatalogText } from '../encoder/catalog-text.ts';
import { readCatalog } from '../train/catalog.ts';
import { updateCatalog } from '../train/update-catalog.ts';

export const updateCatalogCommand: Command = {
  summary: 'apply a new catalogue to a trained package without retraining: new items from their content, removed items gone, prices and stock updated',
  usage: 'inpage update-catalog --reco <package dir> --catalog <catalog.json> --out <dir> [--fixed-names]\n' +
    '  New products get vectors from their category, brand, tags and price band (the mean of the trained\n' +
    '  items sharing them); removed products leave the model; titles, prices and stock come from the new\n' +
    '  catalogue. The search half is rebuilt with the package\'s own encoder: new and changed items are\n' +
    '  encoded from their text, so `rec.search()` finds them; removed ones are gone.\n' +
    '  Upload the new files, then manifest.json last (docs/DEPLOY.md).',
  async run(argv, io) {
    const v = parseFlags(argv, { reco: { type: 'string' }, catalog: { type: 'string' }, out: { type: 'string' }, 'fixed-names': { type: 'boolean' } });
    const reco = required(v, 'reco');
    const out = required(v, 'out');
    const catalogPath = required(v, 'catalog');
    const catalog = await readCatalog(catalogPath);
    const texts = await readCatalogText(catalogPath);
    const t0 = performance.now();
    const r = await updateCatalog(reco, catalog, out, { texts, hashedNames: v['fixed-names'] !== true });
    const files = { ...r.search?.manifest.files, ...r.manifest.files };
    for (const [name, f] of Object.entries(files)) io.out(`  ${out}/${name}  ${f.bytes.toLocaleString('en')} bytes  sha256 ${f.sha256.slice(0, 16)}…`);
    if (r.search !== undefined) io.out(`  ${out}/search.json`);
    io.out(`  ${out}/manifest.json`);
    const sample = (ids: string[]): string => (ids.length === 0 ? '' : ` (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''})`);
    io.out(`${r.manifest.dims.items} items: ${r.kept} kept (${r.changed} with a new price, stock, title or category), ${r.added.length} added${sample(r.added)}, ${r.removed.length} removed${sample(r.removed)}, in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${r.search === undefined ? 'no search index (the package had none)' : `search: ${r.search.encoded} items encoded, ${r.search.reused} kept their index rows`}`);
    return 0;
  },
};
