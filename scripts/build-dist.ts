/**
 * Builds what the npm package ships (`npm run build`, or one half with `build:lib` / `build:iife`):
 *
 *   dist/index.js, embed.js, worker.js, chunks/   ESM for bundlers (vite.lib.config.ts)
 *   dist/types/                                   declarations (tsc, build/tsconfig.dts.json)
 *   dist/cdn/                                     the script-tag build (vite.iife.config.ts) plus
 *                                                 ORT's glue and .wasm files, copied unhashed so
 *                                                 `env.wasm.wasmPaths = <script folder>` finds them,
 *                                                 and inpage.css (the page-side space reservation);
 *                                                 every .wasm/.js/.mjs with precompressed .br and .gz
 *                                                 copies beside it (scripts/precompress.ts,
 *                                                 docs/SERVING.md)
 *   dist/cli/main.js                              the `inpage` CLI (tools/cli) bundled for Node, ESM,
 *                                                 with what it imports (onnx-proto, protobufjs:
 *                                                 devDependencies, so bundled, with their notices);
 *                                                 bin/inpage.js imports it in the published package
 *
 * Usage: tsx scripts/build-dist.ts [all|lib|iife|cli].
 */
import { build, type InlineConfig, type Rollup } from 'vite';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESERVE_CSS } from '../src/embed/styles.ts';
import { precompress } from './precompress.ts';
import { integrityTable } from './sri.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const cdn = join(dist, 'cdn');
const cli = join(dist, 'cli');

/** ORT files the script-tag worker loads from its own folder: the CPU build and the WebGPU one. */
export const ORT_FILES = [
  'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm',
] as const;

const NOTICE = `Inpage bundles onnxruntime-web (https://github.com/microsoft/onnxruntime), MIT License,
Copyright (c) Microsoft Corporation. The ort-wasm-simd-threaded* files in this folder are its
unmodified release files; chunks/ort.*.js are its JavaScript API, re-bundled.
`;

async function timed(what: string, work: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  await work();
  console.log(`  ${what} (${Math.round(performance.now() - t0)} ms)`);
}

/** .d.ts files keep the sources' `./x.ts` specifiers; `./x.js` is what every resolver maps to x.d.ts. */
async function rewriteDeclarationSpecifiers(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    const text = await readFile(file, 'utf8');
    const fixed = text.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1$2.js$3');
    if (fixed !== text) await writeFile(file, fixed);
  }
}

async function buildLib(): Promise<void> {
  for (const name of ['index.js', 'index.js.map', 'embed.js', 'embed.js.map', 'worker.js', 'worker.js.map', 'chunks', 'types']) {
    await rm(join(dist, name), { recursive: true, force: true });
  }
  await timed('dist/ (ESM for bundlers)', () => build({ configFile: join(root, 'vite.lib.config.ts'), logLevel: 'warn' }).then(() => {}));
  await timed('dist/types (declarations)', async () => {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'build/tsconfig.dts.json')], { stdio: 'inherit' });
    await rewriteDeclarationSpecifiers(join(dist, 'types'));
  });
}

async function buildIife(): Promise<void> {
  await rm(cdn, { recursive: true, force: true });
  const pass = async (mode: 'runtime' | 'worker' | 'loader', extra: InlineConfig = {}): Promise<string[]> => {
    const out = await build({ configFile: join(root, 'vite.iife.config.ts'), mode, logLevel: 'warn', ...extra }) as Rollup.RollupOutput | Rollup.RollupOutput[];
    return (Array.isArray(out) ? out : [out]).flatMap((o) => o.output).filter((o) => o.type === 'chunk').map((o) => o.fileName);
  };
  let runtimeFiles: string[] = [];
  await timed('dist/cdn (runtime module)', async () => { runtimeFiles = await pass('runtime'); });
  await timed('dist/cdn (worker module)', async () => {
    const files = await pass('worker');
    // One file: the loader starts the worker from its verified bytes, which cannot import siblings.
    const entry = await readFile(join(cdn, 'inpage-worker.js'), 'utf8');
    const sibling = /(?:^|[;}\n])\s*(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'`]\.{1,2}\//.exec(entry);
    if (sibling) throw new Error(`inpage-worker.js imports a sibling statically (${sibling[0]}); its pass must emit it as one file (${files.join(', ')}).`);
  });
  await timed('dist/cdn (ORT glue and wasm)', async () => {
    await mkdir(cdn, { recursive: true });
    const ortDist = join(root, 'node_modules/onnxruntime-web/dist');
    for (const f of ORT_FILES) await copyFile(join(ortDist, f), join(cdn, f));
    await writeFile(join(cdn, 'THIRD_PARTY_NOTICES.txt'), NOTICE);
    await writeFile(join(cdn, 'inpage.css'), RESERVE_CSS);
  });
  // Last: the loader carries the hashes of what the two passes wrote and of ORT's files (scripts/sri.ts).
  const table = await integrityTable(cdn, runtimeFiles, ORT_FILES);
  await timed('dist/cdn/inpage.js (loader, with the SHA-384 of the runtime, the worker and ORT\'s files)', () => pass('loader', { define: { __INPAGE_INTEGRITY__: JSON.stringify(table) } }).then(() => {}));
  await timed('dist/cdn (precompressed .br and .gz)', async () => {
    const sizes = await precompress(cdn, join(root, 'node_modules/.cache/inpage-precompress'));
    const sum = (k: 'bytes' | 'br' | 'gz'): string => `${(sizes.reduce((n, s) => n + s[k], 0) / 1e6).toFixed(2)} MB`;
    console.log(`    ${sizes.length} files: ${sum('bytes')} raw, ${sum('br')} brotli, ${sum('gz')} gzip`);
  });
}

/** The package folder (the one with package.json) of a bundled module under node_modules. */
function packageDirOf(id: string): string | undefined {
  const marker = `${sep}node_modules${sep}`;
  const at = id.lastIndexOf(marker);
  if (at < 0) return undefined;
  const rest = id.slice(at + marker.length).split(sep);
  const depth = rest[0]?.startsWith('@') ? 2 : 1;
  return id.slice(0, at + marker.length) + rest.slice(0, depth).join(sep);
}

/** THIRD_PARTY_NOTICES.txt for the packages bundled into `modules`: name, version, licence text. */
async function bundledNotices(modules: Iterable<string>): Promise<string> {
  const dirs = [...new Set([...modules].map((id) => packageDirOf(id.replace(/^\0/, '').split('?')[0]!)).filter((d): d is string => d !== undefined))].sort();
  const parts = ['The Inpage CLI (dist/cli/main.js) bundles these packages, under their licences:\n'];
  for (const dir of dirs) {
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
    const file = (await readdir(dir)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file === undefined ? `(no licence file in the package; package.json says ${pkg.license ?? 'nothing'})` : (await readFile(join(dir, file), 'utf8')).trim();
    parts.push(`${'-'.repeat(72)}\n${pkg.name}@${pkg.version} (${pkg.license ?? 'see below'})\n\n${text}\n`);
  }
  return parts.join('\n');
}

/**
 * dist/cli: tools/cli/main.ts and everything it imports in one ESM file for Node 20 (the package's
 * `engines`). Only node: built-ins stay imports, so an installed package needs neither tsx nor the
 * devDependencies the trainer uses. No shebang: bin/inpage.js is the executable and imports it.
 */
async function buildCli(outDir = cli): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await timed(`${outDir === cli ? 'dist/cli' : outDir} (the inpage CLI for Node)`, async () => {
    const out = await build({
      configFile: false,
      root,
      logLevel: 'warn',
      publicDir: false,
      ssr: { noExternal: true, target: 'node' },
      build: {
        ssr: join(root, 'tools/cli/main.ts'),
        outDir,
        emptyOutDir: false,
        target: 'node20',
        minify: false,
        sourcemap: false,
        reportCompressedSize: false,
        copyPublicDir: false,
        rollupOptions: { output: { format: 'es', entryFileNames: 'main.js' } },
      },
    }) as Rollup.RollupOutput | Rollup.RollupOutput[];
    const chunks = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output).filter((o): o is Rollup.OutputChunk => o.type === 'chunk');
    // One file: bin/inpage.js imports main.js only, and a stray chunk would be a surprise to ship.
    if (chunks.length !== 1) throw new Error(`dist/cli should be one file, got ${chunks.map((c) => c.fileName).join(', ')}`);
    const bare = chunks.flatMap((c) => c.imports).filter((i) => !i.startsWith('node:') && !i.startsWith('.'));
    if (bare.length > 0) throw new Error(`dist/cli imports packages an installed CLI may not have: ${bare.join(', ')}`);
    await writeFile(join(outDir, 'THIRD_PARTY_NOTICES.txt'), await bundledNotices(chunks.flatMap((c) => Object.keys(c.modules))));
  });
}

export { buildCli };

async function main(what: string): Promise<void> {
  if (!['all', 'lib', 'iife', 'cli'].includes(what)) throw new Error(`usage: tsx scripts/build-dist.ts [all|lib|iife|cli], got '${what}'`);
  console.log(`building ${what === 'all' ? 'dist/' : what}`);
  if (what === 'all' || what === 'lib') await buildLib();
  if (what === 'all' || what === 'iife') await buildIife();
  if (what === 'all' || what === 'cli') await buildCli();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv[2] ?? 'all').catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
