/**
 * `inpage demo-data`: the demo shop into `<out>/shop` and its recommender into `<out>/reco`.
 * It runs before every `npm start` / `npm test`, so it skips in milliseconds when its outputs are
 * up to date: a stamp records a hash of the generator/trainer sources and their parameters, and
 * the manifest's file sizes are checked against the disk.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SHOP_CONFIG } from '../shop/config.ts';
import { writeShop } from '../shop/generate.ts';
import { DEFAULT_MODEL_OPTIONS } from '../train/model.ts';
import { DEFAULT_ENCODER_OPTIONS } from '../encoder/train-encoder.ts';
import { train } from '../train/train.ts';
import { parseFlags } from './args.ts';
import { printTrainSummary, type Command } from './commands.ts';
import { writeDemoHelp } from './knowledge-command.ts';
import { writeDemoExperiment } from './demo-experiment.ts';

const STAMP = '.demo-data-stamp';

/**
 * Hash of everything the outputs depend on: parameters plus the source files of the generator,
 * trainer, ONNX writer and shared page weighting (whatever of them exists next to this module,
 * as .ts from the sources or .js from dist/).
 */
async function recipeHash(): Promise<string> {
  const h = createHash('sha256');
  h.update(JSON.stringify({ shop: DEFAULT_SHOP_CONFIG, model: DEFAULT_MODEL_OPTIONS, encoder: DEFAULT_ENCODER_OPTIONS }));
  for (const rel of ['../shop/', '../train/', '../encoder/', '../onnx/', '../../src/recommend/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    let names: string[] = [];
    try {
      names = (await readdir(dir)).filter((n) => /\.(ts|js)$/.test(n)).sort();
    } catch {
      continue; // e.g. a published build without that folder: the parameters still count.
    }
    for (const n of names) h.update(`${rel}${n}\0`).update(await readFile(join(dir, n)));
  }
  return h.digest('hex');
}

/** True when `<out>/reco` and `<out>/shop` exist, match the stamp, and have the sizes the manifest lists. */
async function upToDate(shopDir: string, recoDir: string, recipe: string): Promise<boolean> {
  try {
    if ((await readFile(join(recoDir, STAMP), 'utf8')).trim() !== recipe) return false;
    await stat(join(shopDir, 'catalog.json'));
    await stat(join(shopDir, 'events.csv'));
    await stat(join(recoDir, 'search.json'));
    const manifest = JSON.parse(await readFile(join(recoDir, 'manifest.json'), 'utf8')) as { files?: Record<string, { bytes?: number }> };
    for (const [name, f] of Object.entries(manifest.files ?? {})) {
      if ((await stat(join(recoDir, name))).size !== f.bytes) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** `inpage demo-data [--out public] [--force]`. */
export const demoData: Command = {
  summary: 'generate the demo shop into <out>/shop and train it into <out>/reco (skips when up to date)',
  usage: 'inpage demo-data [--out <dir>] [--force]   (default --out public)',
  async run(argv, io) {
    const v = parseFlags(argv, { out: { type: 'string' }, force: { type: 'boolean' } });
    const out = typeof v['out'] === 'string' ? v['out'] : 'public';
    const shopDir = join(out, 'shop');
    const recoDir = join(out, 'reco');
    const recipe = await recipeHash();
    if (v['force'] !== true && (await upToDate(shopDir, recoDir, recipe))) {
      io.out(`demo data in ${out}/shop and ${out}/reco is up to date`);
      await writeDemoHelp(out, io);
      await writeDemoExperiment(out, recipe, io);
      return 0;
    }
    const t0 = performance.now();
    const shop = await writeShop(shopDir, DEFAULT_SHOP_CONFIG);
    io.out(`generated ${shop.stats.products} products and ${shop.stats.events.toLocaleString('en')} events into ${shopDir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const summary = await train({ catalog: join(shopDir, 'catalog.json'), events: join(shopDir, 'events.csv'), outDir: recoDir, log: io.out });
    printTrainSummary(summary, recoDir, io);
    await writeFile(join(recoDir, STAMP), `${recipe}\n`);
    await writeDemoHelp(out, io, true);
    await writeDemoExperiment(out, recipe, io, true);
    return 0;
  },
};
