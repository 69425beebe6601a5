/**
 * Shared Playwright fixtures: the harness page, the backend the project is expected to land
 * on, and conversions between the test models' tensors and the harness's plain tensors.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { decodeTensors, type PlainTensor } from './plain.ts';
import type { TestTensors } from '../../tools/models/index.ts';

export { expect };

/** Base URL of the static server; `/coi/` prefix serves the same files cross-origin isolated. */
export function serverUrl(): string {
  const url = process.env['INPAGE_TEST_URL'];
  if (!url) throw new Error('INPAGE_TEST_URL is unset: run the browser tests through playwright.config.ts (global setup starts the server).');
  return url;
}

export interface Fixtures {
  /** 'webgpu' in the project started with --enable-unsafe-webgpu, else 'wasm'. */
  expectedBackend: 'webgpu' | 'wasm';
  /** Open the harness (optionally cross-origin isolated) and wait until it is ready. */
  openHarness: (opts?: { isolated?: boolean }) => Promise<Page>;
}

export const test = base.extend<Fixtures>({
  expectedBackend: async ({}, use, info) => { await use(info.project.name === 'webgpu' ? 'webgpu' : 'wasm'); },
  openHarness: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await use(async (opts = {}) => {
      await page.goto(`${serverUrl()}${opts.isolated ? '/coi' : ''}/index.html`);
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'harness ready');
      return page;
    });
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },
});

/** Test-model tensors → plain JSON-safe tensors for page.evaluate. */
export function plain(ts: TestTensors): Record<string, PlainTensor> {
  return decodeTensors(ts as Parameters<typeof decodeTensors>[0]);
}

/** Assert outputs equal a reference: floats within `tol`, integers exactly. */
export function expectClose(actual: Record<string, PlainTensor>, expected: Record<string, PlainTensor>, tol = 1e-5): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, want] of Object.entries(expected)) {
    const got = actual[name]!;
    expect(got.type, `${name} type`).toBe(want.type);
    expect(got.dims, `${name} dims`).toEqual(want.dims);
    if (want.type === 'float32') {
      got.data.forEach((v, i) => {
        const w = want.data[i] as number;
        if (Math.abs((v as number) - w) > tol) throw new Error(`${name}[${i}]: got ${v}, want ${w} (tol ${tol})`);
      });
    } else {
      expect(got.data, `${name} data`).toEqual(want.data);
    }
  }
}
