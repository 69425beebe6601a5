/**
 * The numbers panel of the demo shop: backend, live inference count and cost, zero bytes out
 * from the page's real network log, no third-party host, the levers, and the screenshot.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, test } from './demo-fixtures.ts';

const int = async (text: Promise<string | null>): Promise<number> => Number((await text ?? '').replace(/[^0-9.]/g, ''));

test('the panel shows the backend, a growing inference count and cost, and 0 bytes sent; no third-party host', async ({ openShop, page, demoServer, requests }, info) => {
  await page.setViewportSize({ width: 1440, height: 1000 });
  await openShop();
  await expect(page.locator('#backend-name')).toHaveText(/^(WASM · \d+ threads?|WebGPU · .+)$/);
  await expect(page.locator('#backend-why')).not.toBeEmpty();
  await expect(page.locator('#backend-measured')).toHaveText(/^Measured choice: (?!pending)/);
  if (info.project.name === 'webgpu') {
    // Both backends can run the model here, so auto timed them and says what it found.
    await expect(page.locator('#backend-measured')).toHaveText(/WebGPU .* vs WASM|WASM .* vs WebGPU/);
  }

  const inferences0 = await int(page.locator('#stat-inferences').textContent());
  const requests0 = Number(await page.locator('html').getAttribute('data-cost-requests'));
  const cost0 = await page.locator('#cost-visit').textContent();

  // Browse: three product pages (each runs "Similar", "Complete the look" and "For you" on the model).
  for (let i = 0; i < 3; i++) {
    await page.locator(i === 0 ? '#trending .card-link' : '#similar .card-link').first().click();
    await expect(page.locator('#complete-the-look[data-state="ready"] .card').first()).toBeVisible();
    await expect(page.locator('#for-you[data-state="ready"] .card').first()).toBeVisible();
  }
  await expect.poll(() => int(page.locator('#stat-inferences').textContent())).toBeGreaterThanOrEqual(inferences0 + 6);
  const requests1 = Number(await page.locator('html').getAttribute('data-cost-requests'));
  expect(requests1).toBeGreaterThanOrEqual(requests0 + 9);
  await expect(page.locator('#cost-visit')).not.toHaveText(cost0 ?? '');
  await expect(page.locator('#cost-visit')).toHaveText(/^\$0\.0+[1-9]/);
  await expect(page.locator('#cost-daily')).toContainText('At 10,000 requests a day: $1.40 a day');
  await page.locator('#pricing').selectOption({ label: 'frontier hosted LLM' });
  await expect(page.locator('#cost-daily')).toContainText('$150 a day');
  await expect(page.locator('#lat-p50')).toHaveText(/\d (ms|s)$/);
  await expect(page.locator('#lat-p95')).toHaveText(/\d (ms|s)$/);
  expect(await page.locator('#latency-chart rect').count()).toBeGreaterThanOrEqual(6);

  // Privacy: computed from the page's network log after all that browsing.
  await expect(page.locator('#bytes-out')).toHaveText('0 bytes');
  await expect(page.locator('html')).toHaveAttribute('data-uploads', '0');
  await expect(page.locator('html')).toHaveAttribute('data-third-party-hosts', '0');
  await expect(page.locator('#net-summary')).toContainText(`all to ${new URL(demoServer.url).host}`);
  await expect(page.locator('#net-worker')).toHaveText(/reports [1-9][\d.]* (kB|MB) of model downloaded/);
  // And from outside the page: every request of the context (page and worker) went to the shop.
  const hosts = new Set(requests.map((u) => new URL(u).host));
  expect([...hosts]).toEqual([new URL(demoServer.url).host]);
  expect(requests.some((u) => u.endsWith('/reco/recommender.onnx')), 'worker requests are recorded too').toBe(true);

  // The screenshot: the shop front with a personal "For you" and the panel after browsing.
  await page.getByRole('link', { name: /^Waypoint/ }).click();
  await expect(page.locator('#for-you[data-state="ready"] .card')).toHaveCount(8);
  await page.evaluate(() => window.scrollTo(0, 0));
  const shot = info.outputPath('screenshot-shop.png');
  await page.screenshot({ path: shot, animations: 'disabled' });
  await info.attach('screenshot-shop', { path: shot, contentType: 'image/png' });
  if (process.env['INPAGE_UPDATE_DOCS'] === '1' && info.project.name === 'webgpu') {
    await writeFile(fileURLToPath(new URL('../../docs/screenshot-shop.png', import.meta.url)), await page.screenshot({ animations: 'disabled' }));
  }
});

test('levers: force WASM, batching off, result cache, forget me', async ({ openShop, page }, info) => {
  await openShop();
  if (info.project.name === 'wasm') {
    // No adapter in this project: forcing WebGPU fails, says why, and the shop keeps working.
    // click(), not check(): the panel may already have failed and put the radio back on Auto by
    // the time check() looks at the state again (it does, quickly, with no adapter).
    await page.getByRole('radio', { name: 'WebGPU' }).click();
    await expect(page.locator('#controls-status')).toHaveText(/failed: .*WebGPU/i, { timeout: 30_000 });
    await expect(page.getByRole('radio', { name: 'Auto' })).toBeChecked();
    await expect(page.locator('#backend-name')).toHaveText(/^WASM · /);
  }
  // Force WASM: a new engine, the model from the cache, and the panel follows.
  await page.getByRole('radio', { name: 'WASM' }).check();
  await expect(page.locator('#controls-status')).toHaveText(/: done\.$/, { timeout: 30_000 });
  await expect(page.locator('#backend-name')).toHaveText(/^WASM · /);
  await expect(page.locator('#backend-measured')).toHaveText(/forced to WASM/);
  await expect(page.locator('#load-source')).toHaveText(/from the model cache/);
  expect(new URL(page.url()).searchParams.get('backend')).toBe('wasm');

  // Batching off reloads the model with batch: false; the panel says so.
  await page.getByRole('checkbox', { name: 'Micro-batching' }).uncheck();
  await expect(page.locator('#controls-status')).toHaveText(/batching off: done\.$/);
  await expect(page.locator('#batch-why')).toHaveText(/batching disabled by the caller/);

  // Result cache: identical requests (same history) are answered on the page.
  await page.locator('#trending .card-link').first().click();
  await expect(page.locator('#for-you[data-state="ready"] .card').first()).toBeVisible();
  await page.getByRole('checkbox', { name: 'Result cache' }).uncheck();
  await expect(page.locator('#controls-status')).toHaveText(/cache off: done\.$/);
  await page.getByRole('checkbox', { name: 'Result cache' }).check();
  await expect(page.locator('#controls-status')).toHaveText(/cache on: done\.$/);
  await expect(page.locator('#stat-hits')).toHaveText(/^[1-9]\d*%$/);
  expect(await page.locator('#latency-chart rect.bar-hit').count()).toBeGreaterThan(0);

  // Forget me: the history is erased and "For you" goes back to popular picks.
  await page.getByRole('link', { name: /^Waypoint/ }).click();
  await expect(page.locator('#for-you .row-status')).toHaveText(/^Ranked on this device/);
  await page.getByRole('button', { name: 'Forget me' }).click();
  await expect(page.locator('#forget-status')).toContainText('erased');
  await expect(page.locator('html')).toHaveAttribute('data-history-events', '0');
  await expect(page.locator('#for-you .row-status')).toHaveText(/^Nothing viewed yet/);
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('inpage:reco:')).map((k) => localStorage.getItem(k)))).not.toContainEqual(expect.stringContaining('sku-'));
});

test('served cross-origin isolated (COOP/COEP), WASM runs on several threads', async ({ openShop, page }, info) => {
  test.skip(info.project.name === 'webgpu', 'one project is enough: this checks headers, not a backend');
  await openShop('/coi/');
  await expect(page.locator('#backend-facts')).toContainText('(cross-origin isolated)');
  await expect(page.locator('#backend-name')).toHaveText(/^WASM · ([2-9]|\d\d) threads$/);
  await expect(page.locator('#bytes-out')).toHaveText('0 bytes');
});
