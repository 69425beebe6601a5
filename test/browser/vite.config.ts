import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// Builds the browser-test harness the way a consumer's Vite build would build the SDK.
export default defineConfig({
  root: fileURLToPath(new URL('./app', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../.build/app', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('./app/index.html', import.meta.url)),
        caches: fileURLToPath(new URL('./app/caches.html', import.meta.url)),
      },
    },
  },
  worker: { format: 'es' },
});
