/**
 * `inpage index-pages`: a knowledge package for the support assistant from a folder of help pages
 * (Markdown or HTML) and, optionally, the catalogue; and the demo's help centre + package, which
 * `inpage demo-data` makes next to the shop (skipped in milliseconds when up to date).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeHelpPages } from '../help/help-centre.ts';
import { buildKnowledge, DEFAULT_RETRIEVAL, PASSAGE_ENCODER_OPTIONS, type KnowledgeSummary } from '../knowledge/build.ts';
import { intFlag, optional, parseFlags, required } from './args.ts';
import type { Command, Io } from './commands.ts';

function printSummary(s: KnowledgeSummary, outDir: string, io: Io): void {
  for (const [name, f] of Object.entries(s.manifest.files)) io.out(`  ${outDir}/${name}  ${f.bytes.toLocaleString('en')} bytes  sha256 ${f.sha256.slice(0, 16)}…`);
  io.out(`  ${outDir}/knowledge.json`);
  io.out(`indexed ${s.manifest.dims.passages} passages from ${s.manifest.built?.['pages']} pages and ${s.manifest.dims.products} products (encoder: ${s.manifest.built?.['vocab']} tokens × ${s.manifest.dims.embedding} dims) in ${s.seconds.toFixed(1)} s`);
}

/** `inpage index-pages --pages dir --out dir [--catalog f] [--page-link t] [--product-link t] [--catalog-url u] [--seed n]`. */
export const indexPages: Command = {
  summary: 'build a knowledge package for the support assistant from help pages (.md/.html) and the catalogue',
  usage: 'inpage index-pages --pages <dir> --out <dir> [--catalog <catalog.json>] [--page-link </help/{page}>] [--product-link </p/{id}>] [--catalog-url <url>] [--seed <n>]\n' +
    '  --page-link     link of a page, {page} = file name without extension (sections add #anchor)\n' +
    '  --catalog-url   where the assistant reads live prices and stock, relative to knowledge.json',
  async run(argv, io) {
    const v = parseFlags(argv, {
      pages: { type: 'string' }, out: { type: 'string' }, catalog: { type: 'string' }, 'page-link': { type: 'string' },
      'product-link': { type: 'string' }, 'catalog-url': { type: 'string' }, seed: { type: 'string' },
    });
    const outDir = required(v, 'out');
    const catalogPath = optional(v, 'catalog');
    const seed = intFlag(v, 'seed', 0, 2 ** 32 - 1);
    const pageLink = optional(v, 'page-link');
    const productLink = optional(v, 'product-link');
    const catalogUrl = optional(v, 'catalog-url');
    const s = await buildKnowledge({
      pagesDir: required(v, 'pages'), outDir,
      ...(catalogPath === undefined ? {} : { catalog: JSON.parse(await readFile(catalogPath, 'utf8')) as unknown }),
      ...(pageLink === undefined ? {} : { pageLink }), ...(productLink === undefined ? {} : { productLink }),
      ...(catalogUrl === undefined ? {} : { catalogUrl }), ...(seed === undefined ? {} : { seed }),
    });
    printSummary(s, outDir, io);
    return 0;
  },
};

const STAMP = '.knowledge-stamp';

async function recipe(): Promise<string> {
  const h = createHash('sha256').update(JSON.stringify({ DEFAULT_RETRIEVAL, PASSAGE_ENCODER_OPTIONS }));
  for (const rel of ['../help/', '../knowledge/', '../encoder/', '../shop/', '../../src/assistant/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    const names = await readdir(dir).then((n) => n.filter((x) => /\.(ts|js)$/.test(x)).sort(), () => [] as string[]);
    for (const n of names) h.update(`${rel}${n}\0`).update(await readFile(join(dir, n)));
  }
  return h.digest('hex');
}

/**
 * The demo's help centre (`<out>/help/*.md`) and its knowledge package (`<out>/knowledge/`), linked
 * for the demo's hash routes; skipped when the stamp matches.
 */
export async function writeDemoHelp(out: string, io: Io, force = false): Promise<void> {
  const helpDir = join(out, 'help');
  const outDir = join(out, 'knowledge');
  const want = await recipe();
  const have = await readFile(join(outDir, STAMP), 'utf8').then((t) => t.trim(), () => '');
  if (!force && have === want && (await readFile(join(outDir, 'knowledge.json')).then(() => true, () => false))) {
    io.out(`help centre in ${helpDir} and ${outDir} is up to date`);
    return;
  }
  await writeHelpPages(helpDir);
  const s = await buildKnowledge({
    pagesDir: helpDir, outDir, pageLink: '#/help/{page}', catalog: JSON.parse(await readFile(join(out, 'shop', 'catalog.json'), 'utf8')) as unknown,
    productLink: '#/p/{id}', catalogUrl: '../shop/catalog.json',
  });
  printSummary(s, outDir, io);
  await writeFile(join(outDir, STAMP), `${want}\n`);
}
