/**
 * Builds what the npm package ships (`npm run build`, or one half with `build:lib` / `build:iife`):
 *
 *   dist/index.js, embed.js, worker.js, chunks/   ESM for bundlers (vite.lib.config.ts)
 *   dist/types/                                   declarations (tsc, build/tsconfig.dts.json)
 *   dist/cdn/                                     the script-tag build (vite.iife.config.ts) plus
 *                                                 ORT's glue and .wasm files, copied unhashed so
 *                                                 `env.wasm.wasmPaths = <script folder>` finds them
 *
 * Usage: tsx scripts/build-dist.ts [all|lib|iife]. dist/cli (the CLI build) is left alone.
 */
import { build } from 'vite';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const cdn = join(dist, 'cdn');

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
  await timed('dist/cdn/inpage.js (loader)', () => build({ configFile: join(root, 'vite.iife.config.ts'), mode: 'loader', logLevel: 'warn' }).then(() => {}));
  await timed('dist/cdn (runtime + worker modules)', () => build({ configFile: join(root, 'vite.iife.config.ts'), mode: 'modules', logLevel: 'warn' }).then(() => {}));
  await timed('dist/cdn (ORT glue and wasm)', async () => {
    await mkdir(cdn, { recursive: true });
    const ortDist = join(root, 'node_modules/onnxruntime-web/dist');
    for (const f of ORT_FILES) await copyFile(join(ortDist, f), join(cdn, f));
    await writeFile(join(cdn, 'THIRD_PARTY_NOTICES.txt'), NOTICE);
  });
}

async function main(what: string): Promise<void> {
  if (!['all', 'lib', 'iife'].includes(what)) throw new Error(`usage: tsx scripts/build-dist.ts [all|lib|iife], got '${what}'`);
  console.log(`building ${what === 'all' ? 'dist/' : what}`);
  if (what !== 'iife') await buildLib();
  if (what !== 'lib') await buildIife();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv[2] ?? 'all').catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
