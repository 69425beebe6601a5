/**
 * The script-tag build (dist/cdn/), two passes selected by `--mode`:
 *   loader   src/embed/script-tag.ts → inpage.js, one IIFE that installs `window.Inpage` and
 *            the custom element. It is all the page downloads before idle (budget 15 KB gzip).
 *   modules  ES modules loaded from the script's origin when first needed:
 *            src/embed/runtime.ts → inpage-runtime.js, the npm API for the page (via import());
 *            src/worker/entry.ts → inpage-worker.js, the module worker, each ORT build a lazy
 *            chunk (budget 60 KB gzip without ORT).
 * ORT resolves to its "extern wasm" builds (`onnxruntime-web-use-extern-wasm` condition): they
 * import the Emscripten glue (`ort-wasm-simd-threaded*.mjs`) from `env.wasm.wasmPaths`, which
 * the loader sets to the script's own folder, instead of carrying a copy of it that Vite would
 * re-emit with a hashed .wasm beside it. scripts/build.ts copies the glue and .wasm files there.
 */
import { defineConfig, type UserConfig } from 'vite';
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

function modules(): UserConfig {
  return {
    ...shared,
    // Inpage.createEngine passes a workerUrl (worker on another origin → blob bootstrap); this
    // default serves a runtime imported from its own origin.
    plugins: [builtWorkerUrl('new URL("./inpage-worker.js", import.meta.url)')],
    resolve: { conditions: ['onnxruntime-web-use-extern-wasm', 'module', 'browser', 'production'] },
    build: {
      outDir, emptyOutDir: false, target: 'es2022', sourcemap: true, minify: true, reportCompressedSize: false,
      lib: {
        entry: { 'inpage-worker': here('./src/worker/entry.ts'), 'inpage-runtime': here('./src/embed/runtime.ts') },
        formats: ['es'],
        fileName: (_format, name) => `${name}.js`,
      },
      rollupOptions: { output: { chunkFileNames: 'chunks/[name]-[hash].js', minify: true } },
    },
  };
}

export default defineConfig(({ mode }) => {
  if (mode === 'loader') return loader();
  if (mode === 'modules') return modules();
  throw new Error(`vite.iife.config.ts: --mode must be 'loader' or 'modules', got '${mode}'.`);
});
