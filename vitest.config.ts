import { defineConfig } from 'vitest/config';

// Node unit tests only: pure logic. Browser behaviour is tested in real Chromium by Playwright
// (test/browser, test/e2e), never in jsdom.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
