import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { scriptTagBuild } from './scripts/vite-script-tag.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

// The demo app. It imports the SDK by its package name only ('inpage' → the public entry),
// never deep paths into src/, so it can only use what users can use.
export default defineConfig({
  root: here('./demo'),
  base: './',
  publicDir: here('./public'),
  resolve: { alias: { inpage: here('./src/index.ts') } },
  // /inpage/ → dist/cdn in `npm start`, for the embed example page (public/embed/).
  plugins: [scriptTagBuild(here('./dist/cdn'))],
  // ORT finds its .wasm next to its own module (new URL(..., import.meta.url)); pre-bundling
  // would move the module into .vite/deps and break that lookup in dev.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
  server: { port: 5173, strictPort: false, host: '127.0.0.1' },
  preview: { port: 4173, host: '127.0.0.1' },
  build: {
    outDir: here('./dist-demo'), emptyOutDir: true, target: 'es2022',
    // Two pages: the shop (index.html) and the bare engine demo it links to.
    rolldownOptions: { input: { index: here('./demo/index.html'), engine: here('./demo/engine.html') } },
  },
});
