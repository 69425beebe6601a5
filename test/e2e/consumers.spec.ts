/**
 * The npm package as customers get it: packed, installed into a fresh Vite app and a fresh
 * webpack 5 app, built without Inpage configuration, run in Chromium. The worker and ORT's
 * .wasm must be found through `new URL(…, import.meta.url)` alone, and the MLP test model must
 * give the JS reference's outputs.
 */
import { test as base, expect } from '@playwright/test';
import { serve, type RunningServer } from '../server/static-server.ts';
import { plain, expectClose } from '../browser/fixtures.ts';
import type { PlainTensor } from '../browser/plain.ts';
import { mlp } from '../../tools/models/index.ts';
import { prepareConsumers, type ConsumerApps } from './consumers.ts';
import { root } from './fixtures.ts';

const test = base.extend<{}, { apps: ConsumerApps }>({
  apps: [async ({}, use) => { await use(await prepareConsumers()); }, { scope: 'worker', timeout: 300_000 }],
});

interface ConsumerWindow { consumer: { run(url: string, feeds: Record<string, PlainTensor>, backend: string): Promise<{ backend: string; threads: number; outputs: Record<string, PlainTensor> }>; version: string } }

const cases = [
  { app: 'vite', isolated: false },
  { app: 'vite-threads', isolated: true },
  { app: 'webpack', isolated: false },
  { app: 'webpack', isolated: true },
] as const;

for (const { app, isolated } of cases) {
  test(`${app} app built from the tarball runs the MLP${isolated ? ' with threads (cross-origin isolated)' : ''}`, async ({ apps, page }, info) => {
    const backend = info.project.name === 'webgpu' ? 'webgpu' : 'wasm';
    let server: RunningServer | undefined;
    try {
      server = await serve({ roots: [...apps[app], root('public')], isolated });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/index.html`);
      await page.waitForFunction(() => document.title === 'consumer ready');
      const feeds = plain(mlp.inputs(2, 7));
      const got = await page.evaluate(({ feeds, backend }) => (window as unknown as ConsumerWindow).consumer.run('/models/mlp.onnx', feeds, backend), { feeds, backend });
      expect(got.backend).toBe(backend);
      if (isolated) expect(got.threads).toBeGreaterThan(1);
      expectClose(got.outputs, plain(mlp.reference(mlp.inputs(2, 7))), backend === 'webgpu' ? 1e-4 : 1e-5);
      expect(await page.evaluate(() => (window as unknown as ConsumerWindow).consumer.version)).toBe('0.1.0');
      if (app !== 'webpack') {
        // inpage/embed from the same tarball: the element renders the stand-in recommender's cards.
        await expect(page.locator('inpage-recommendations').locator('[part="title"]')).toHaveText(['Item a-1', 'Item b-2']);
        await expect(page.locator('inpage-recommendations').locator('[part="link"]').first()).toHaveAttribute('href', `${server.url}/p/a-1`);
      }
      expect(errors).toEqual([]);
    } finally {
      await server?.close();
    }
  });
}
