/**
 * The npm build: ESM library (`inpage`, `inpage/embed`) + module worker, for bundlers. Dependencies (comlink,
 * onnxruntime-web) stay imports, so the consumer's bundler resolves them once and emits ORT's
 * .wasm through ORT's own `new URL('ort-wasm-simd-threaded.wasm', import.meta.url)`.
 *
 * The one source line a library build must change: create-engine.ts starts the worker with
 * `new URL('../worker/entry.ts', import.meta.url)`, which in dist/ must name the built
 * `worker.js` in the same literal `new Worker(new URL('./worker.js', import.meta.url), …)` form
 * that Vite and webpack 5 recognise and bundle. Vite's own worker plugin must not see that line
 * here (it would inline a second copy of ORT), so it becomes a placeholder before Vite's
 * plugins run and the literal form is written back into the finished chunk.
 */
import { defineConfig, type Plugin } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const SOURCE_URL = "new URL('../worker/entry.ts', import.meta.url)";
const PLACEHOLDER = '__INPAGE_BUILT_WORKER_URL__';
const BUILT_URL = 'new URL("./worker.js", import.meta.url)';

/**
 * Rewrites the worker URL for the published layout (see the file comment). `replacement` is
 * the expression written in its place; the default is the ESM form bundlers recognise.
 */
export function builtWorkerUrl(replacement = BUILT_URL): Plugin {
  return {
    name: 'inpage:built-worker-url',
    enforce: 'pre',
    transform(code, id) {
      if (!id.endsWith('/src/client/create-engine.ts')) return null;
      if (!code.includes(SOURCE_URL)) this.error(`create-engine.ts no longer contains ${SOURCE_URL}; update vite.lib.config.ts.`);
      return { code: code.replace(SOURCE_URL, PLACEHOLDER), map: null };
    },
    renderChunk(code) {
      if (!code.includes(PLACEHOLDER)) return null;
      return { code: code.replace(PLACEHOLDER, replacement), map: null };
    },
  };
}

const external = (id: string): boolean => id === 'comlink' || id === 'onnxruntime-web' || id.startsWith('onnxruntime-web/');

export default defineConfig({
  logLevel: 'warn',
  publicDir: false,
  plugins: [builtWorkerUrl()],
  build: {
    outDir: here('./dist'),
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: true,
    minify: false,
    reportCompressedSize: false,
    lib: {
      entry: { index: here('./src/index.ts'), embed: here('./src/embed/index.ts'), worker: here('./src/worker/entry.ts') },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rollupOptions: {
      external,
      output: { chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
});
