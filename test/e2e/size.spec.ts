/**
 * The size budget of the real built files (dist/cdn, built before the browser tests): the loader
 * a page downloads before idle ≤ 15 KB gzip, the worker without ORT ≤ 60 KB gzip. Node only, so
 * it runs in one project.
 */
import { expect, test } from '@playwright/test';
import { BUDGETS, measureSizes, sizeTable } from '../../scripts/build-size.ts';

test('script-tag loader and worker stay within their gzip budgets', async ({}, info) => {
  test.skip(info.project.name !== 'wasm', 'file sizes do not depend on the browser project');
  const sizes = measureSizes();
  await info.attach('sizes.md', { body: sizeTable(sizes), contentType: 'text/markdown' });
  const loader = sizes.find((s) => s.name === 'loader')!;
  const worker = sizes.find((s) => s.name === 'worker')!;
  expect(loader.gzip, `loader ${loader.files.join(', ')}`).toBeLessThanOrEqual(BUDGETS.loader);
  expect(worker.gzip, `worker ${worker.files.join(', ')}`).toBeLessThanOrEqual(BUDGETS.worker);
  // The worker's graph is the entry plus shared chunks; ORT never joins it statically.
  expect(worker.files.some((f) => f.includes('ort.'))).toBe(false);
  expect(worker.files[0]).toBe('inpage-worker.js');
});
