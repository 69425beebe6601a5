import { defineConfig } from '@playwright/test';
import { findChromium } from './scripts/chromium.mjs';

// Real Debian Chromium for every browser test (Playwright's own download cannot work offline).
// Flags: the background-networking ones stop Chromium from flooding a closed network;
// --enable-unsafe-webgpu gives a SwiftShader WebGPU adapter; without it the adapter is null,
// which is how the "no WebGPU" project tests the WASM fallback for real.
const executablePath = findChromium();
const BASE_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export default defineConfig({
  testDir: './test',
  testMatch: ['browser/**/*.spec.ts', 'e2e/**/*.spec.ts'],
  globalSetup: './test/browser/global-setup.ts',
  fullyParallel: false,
  workers: process.env.CI ? 2 : 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/browser.json' }]],
  outputDir: 'test-results/artifacts',
  use: { headless: true, trace: 'off', screenshot: 'only-on-failure' },
  projects: [
    { name: 'wasm', use: { launchOptions: { ...(executablePath ? { executablePath } : {}), args: BASE_ARGS } } },
    { name: 'webgpu', use: { launchOptions: { ...(executablePath ? { executablePath } : {}), args: [...BASE_ARGS, '--enable-unsafe-webgpu'] } } },
  ],
});
