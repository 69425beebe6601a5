/**
 * A knowledge package for the assistant specs, built by the real builder (tools/knowledge) from the
 * demo help centre and a small generated catalogue into `public/test-knowledge/` (served at
 * `/test-knowledge/`), with what the specs compare against: the same retrieval (src/assistant)
 * run in Node with the JS reference of the encoder the page loads.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { KnowledgeDoc } from '../../src/assistant/knowledge.ts';
import { KnowledgeIndex, type Retrieval } from '../../src/assistant/retrieve.ts';
import { referenceEncoder } from '../../tools/encoder/reference.ts';
import { writeHelpPages } from '../../tools/help/help-centre.ts';
import { buildKnowledge, type KnowledgeSummary } from '../../tools/knowledge/build.ts';
import { generateCatalog } from '../../tools/shop/catalog.ts';
import { TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { CATEGORIES } from '../../tools/shop/categories.ts';

const root = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** The package and its Node-side reference. */
export interface KnowledgeFixture {
  summary: KnowledgeSummary;
  docs: KnowledgeDoc[];
  catalog: { products: { id: string; title: string; price: number; inStock: boolean; category: string }[] };
  /** Retrieval as the page should do it, with the q8 (wasm) or fp32 (webgpu) encoder. */
  expected(question: string, quantized: boolean): Retrieval;
}

let built: Promise<KnowledgeFixture> | undefined;

/** Builds the package once per test worker. */
export function knowledgeFixture(): Promise<KnowledgeFixture> {
  built ??= (async () => {
    const dir = root('public/test-knowledge');
    await mkdir(dir, { recursive: true });
    const catalog = { products: generateCatalog(TINY_SHOP_CONFIG).products, categories: CATEGORIES.map((c) => ({ id: c.id, name: c.name })) };
    await writeFile(`${dir}/catalog.json`, JSON.stringify(catalog));
    await writeHelpPages(`${dir}/pages`);
    const summary = await buildKnowledge({ pagesDir: `${dir}/pages`, outDir: `${dir}/pkg`, pageLink: '/help/{page}', catalog, productLink: '/p/{id}', catalogUrl: '../catalog.json' });
    const idx = new KnowledgeIndex(summary.docs, summary.fit.targets, summary.fit.weights.dim, summary.manifest.retrieval);
    const encs = { true: referenceEncoder(summary.fit.weights, { quantized: true }), false: referenceEncoder(summary.fit.weights) };
    return {
      summary, docs: summary.docs, catalog,
      expected(question, quantized) {
        const v = encs[String(quantized) as 'true' | 'false'].encode(question);
        return idx.retrieve(question, v.some((x) => x !== 0) ? v : undefined);
      },
    };
  })();
  return built;
}
