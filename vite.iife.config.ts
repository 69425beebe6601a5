/**
 * The script-tag build (dist/cdn/), three passes selected by `--mode`, in this order
 * (scripts/build-dist.ts):
 *   runtime  src/embed/runtime.ts → inpage-runtime.js, the npm API for the page, an ES module
 *            inpage.js loads from the script's origin when first needed, and its chunks;
 *   worker   src/worker/entry.ts → inpage-worker.js, the module worker, one file with each ORT
 *            build and transformers.js a lazy chunk (budget 60 KB gzip without ORT);
 *   loader   src/embed/script-tag.ts → inpage.js, one IIFE that installs `window.Inpage` and
 *            the custom element. It is all the page downloads before idle (budget 15 KB gzip).
 *            Built last: it carries the SHA-384 of the runtime's modules and of the worker
 *            (`__INPAGE_INTEGRITY__`, scripts/sri.ts) and checks them before they run.
 * ORT resolves to its "extern wasm" builds (`onnxruntime-web-use-extern-wasm` condition): they
 * import the Emscripten glue (`ort-wasm-simd-threaded*.mjs`) from `env.wasm.wasmPaths`, which
 * the loader sets to the script's own folder, instead of carrying a copy of it that Vite would
 * re-emit with a hashed .wasm beside it. scripts/build.ts copies the glue and .wasm files there.
 */
import { defineConfig, type Plugin, type UserConfig } from 'vite';
import MagicString from 'magic-string';
import { fileURLToPath } from 'node:url';
import { builtWorkerUrl } from './vite.lib.config.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const outDir = here('./dist/cdn');

const shared: UserConfig = {
  logLevel: 'warn',
  publicDir: false,
  // Vite's default 'development' condition would pick unminified dev builds of dependencies.
  define: { 'process.env.NODE_ENV': '"production"' },
};

function loader(): UserConfig {
  return {
    ...shared,
    // The IIFE never reaches create-engine.ts (the runtime module has it); the placeholder only
    // guards against Vite inlining a worker build should an import ever pull it in.
    plugins: [builtWorkerUrl('(() => { throw new Error("Inpage: the loader cannot start workers."); })()')],
    build: {
      outDir, emptyOutDir: false, target: 'es2022', sourcemap: true, minify: true, reportCompressedSize: false,
      lib: { entry: here('./src/embed/script-tag.ts'), formats: ['iife'], name: 'InpageBundle', fileName: () => 'inpage.js' },
    },
  };
}

/** Options shared by the two module passes (ESM, minified, chunks under chunks/). */
function moduleBuild(entry: Record<string, string>): NonNullable<UserConfig['build']> {
  return {
    outDir, emptyOutDir: false, target: 'es2022', sourcemap: true, minify: true, reportCompressedSize: false,
    lib: { entry, formats: ['es'], fileName: (_format, name) => `${name}.js` },
    rollupOptions: { output: { chunkFileNames: 'chunks/[name]-[hash].js', minify: true } },
  };
}

function runtime(): UserConfig {
  return {
    ...shared,
    // Inpage.createEngine passes a workerUrl (worker on another origin → blob bootstrap); this
    // default serves a runtime imported from its own origin.
    plugins: [builtWorkerUrl('new URL("./inpage-worker.js", import.meta.url)')],
    resolve: { conditions: ['onnxruntime-web-use-extern-wasm', 'module', 'browser', 'production'] },
    build: moduleBuild({ 'inpage-runtime': here('./src/embed/runtime.ts') }),
  };
}

/**
 * The worker in a pass of its own, so its static graph is this one file (no chunk shared with
 * the runtime): the loader can fetch it, check its SHA-384 and start it from those very bytes as
 * a blob (scripts/sri.ts). From a blob, `import.meta.url` is `blob:…`, so its lazy imports (the
 * ORT builds, transformers.js) are resolved against `__inpageBase`, which the loader appends to
 * the verified bytes; without it (a worker started by URL) they resolve as before.
 */
function worker(): UserConfig {
  return {
    ...shared,
    plugins: [builtWorkerUrl('(() => { throw new Error("Inpage: the worker cannot start workers."); })()'), lazyImportsFromBase()],
    resolve: { conditions: ['onnxruntime-web-use-extern-wasm', 'module', 'browser', 'production'] },
    build: moduleBuild({ 'inpage-worker': here('./src/worker/entry.ts') }),
  };
}

/** Rewrites the entry's `import("./chunks/…")` to resolve against `__inpageBase` when the loader set it. */
function lazyImportsFromBase(): Plugin {
  return {
    name: 'inpage:lazy-imports-from-base',
    renderChunk(code, chunk) {
      if (!chunk.isEntry) return null;
      const s = new MagicString(code);
      let n = 0;
      for (const m of code.matchAll(/import\((["'`])(\.\/chunks\/[^"'`]+)\1\)/g)) {
        n++;
        s.overwrite(m.index, m.index + m[0].length, `import(new URL(${JSON.stringify(m[2])}, typeof __inpageBase == "string" ? __inpageBase : import.meta.url).href)`);
      }
      if (n !== chunk.dynamicImports.length) this.error(`inpage-worker.js: rewrote ${n} lazy imports, expected ${chunk.dynamicImports.length} (${chunk.dynamicImports.join(', ')}).`);
      return { code: s.toString(), map: s.generateMap({ hires: true }) };
    },
  };
}

export default defineConfig(({ mode }) => {
  if (mode === 'loader') return loader();
  if (mode === 'runtime') return runtime();
  if (mode === 'worker') return worker();
  throw new Error(`vite.iife.config.ts: --mode must be 'loader', 'runtime' or 'worker', got '${mode}'.`);
});
