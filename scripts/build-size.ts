/**
 * Size budget of the script-tag build (`npm run size`; test/e2e/size.spec.ts enforces it):
 *   loader  dist/cdn/inpage.js, all a page downloads before idle          ≤ 15 KB gzip
 *   worker  inpage-worker.js and its static imports, without ORT           ≤ 60 KB gzip
 * Also listed: the runtime module (loaded on first need) and the worker's lazy chunks (the ORT
 * builds, transformers.js for pipelines) and ORT's glue and .wasm.
 * Sizes are of the real built files, gzip at zlib's default level (what servers typically use),
 * each file on its own (they are separate requests). 1 KB = 1024 bytes.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Budgets in bytes (gzip). */
export const BUDGETS = { loader: 15 * 1024, worker: 60 * 1024 } as const;

export interface Measured {
  name: string;
  files: string[];
  /** Sum of the files' gzip sizes (NaN: not measured, the .wasm files). */
  gzip: number;
  raw: number;
  budget?: number;
}

/** Relative files a module imports statically (`import … from`, `export … from`, bare `import "…"`), not `import()`. */
function staticImports(code: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[;}\n])\s*(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'`](\.{1,2}\/[^"'`]+)["'`]/g;
  for (let m = re.exec(code); m; m = re.exec(code)) out.push(m[1]!);
  return out;
}

/** `entry` and everything it imports statically, as paths. */
export function staticGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) visit(join(dirname(file), spec));
  };
  visit(entry);
  return [...seen];
}

function measure(name: string, files: string[], cdn: string, budget?: number): Measured {
  let gzip = 0;
  let raw = 0;
  for (const f of files) {
    const bytes = readFileSync(f);
    raw += bytes.length;
    gzip += gzipSync(bytes).length;
  }
  return described(name, files, cdn, gzip, raw, budget);
}

function described(name: string, files: string[], cdn: string, gzip: number, raw: number, budget?: number): Measured {
  const m: Measured = { name, files: files.map((f) => relative(cdn, f)), gzip, raw };
  if (budget !== undefined) m.budget = budget;
  return m;
}

/**
 * Measures dist/cdn (built by `npm run build`).
 *
 * @example measureSizes().find((m) => m.name === 'loader')!.gzip // 5461
 */
export function measureSizes(cdn = fileURLToPath(new URL('../dist/cdn', import.meta.url))): Measured[] {
  const at = (f: string): string => join(cdn, f);
  const worker = staticGraph(at('inpage-worker.js'));
  if (worker.some((f) => /ort\.(wasm|webgpu)/.test(f))) throw new Error('inpage-worker.js imports ORT statically; it must stay a lazy import() chunk.');
  const code = readFileSync(at('inpage-worker.js'), 'utf8');
  // Each import() of the worker (an ORT build, transformers.js) with what it adds to the worker's graph.
  // (`import(new URL("./chunks/…", base))` in the built worker: vite.iife.config.ts resolves them against its real folder.)
  const lazy = [...code.matchAll(/import\((?:new URL\()?["'`](\.\/chunks\/[^"'`]+)["'`]/g)].map((m) => at(m[1]!));
  const lazySizes = lazy.map((f) => measure(`${/chunks\/(.+?)-[\w-]+\.js$/.exec(f)?.[1] ?? f} (lazy)`, staticGraph(f).filter((g) => !worker.includes(g)), cdn));
  return [
    measure('loader', [at('inpage.js')], cdn, BUDGETS.loader),
    measure('worker', worker, cdn, BUDGETS.worker),
    measure('runtime (on first need)', staticGraph(at('inpage-runtime.js')), cdn),
    ...lazySizes,
    ...['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.asyncify.mjs'].map((f) => measure(`${f} (lazy)`, [at(f)], cdn)),
    // Not compressed here (40 MB takes seconds); servers send them with Content-Encoding anyway.
    ...['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.asyncify.wasm'].map((f) => described(`${f} (lazy)`, [at(f)], cdn, NaN, statSync(at(f)).size)),
  ];
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;

/** A Markdown table of the sizes. */
export function sizeTable(sizes: readonly Measured[]): string {
  const rows = sizes.map((s) => `| ${s.name} | ${Number.isNaN(s.gzip) ? '—' : kb(s.gzip)} | ${kb(s.raw)} | ${s.budget === undefined ? '' : `${kb(s.budget)} ${s.gzip <= s.budget ? 'ok' : 'OVER'}`} |`);
  return ['| part | gzip | raw | budget |', '|---|---|---|---|', ...rows].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sizes = measureSizes();
  console.log(sizeTable(sizes));
  const over = sizes.filter((s) => s.budget !== undefined && s.gzip > s.budget);
  if (over.length > 0) {
    console.error(`over budget: ${over.map((s) => `${s.name} ${kb(s.gzip)} > ${kb(s.budget!)}`).join(', ')}`);
    process.exit(1);
  }
}
