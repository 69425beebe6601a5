/**
 * The demo's Experiment card: the visitor's variant, the KPIs attributed on this device after a
 * click → cart → order on a recommended product, the GA4 events as pushed to window.dataLayer, the
 * simulated experiment page, and the switch to the control (a trending list instead of the model's).
 */
import { expect, test } from './demo-fixtures.ts';

test('experiment card: variant, attributed KPIs, dataLayer events, switch to control', async ({ openShop }, info) => {
  test.skip(info.project.name === 'webgpu', 'panel wiring, not a backend: one project is enough');
  const page = await openShop();
  await expect(page.locator('#exp-variant')).toHaveText(/^model /);
  // Open recommended products until one is in stock, add it to the cart, order.
  let added = '';
  for (let i = 0; i < 8 && added === ''; i++) {
    const card = page.locator('#for-you[data-state="ready"] .card').nth(i);
    const id = (await card.getAttribute('data-item-id')) ?? '';
    await card.locator('a').first().click();
    const add = page.getByRole('button', { name: 'Add to cart' });
    if (await add.isVisible() && await add.isEnabled()) { await add.click(); added = id; } else await page.goBack();
  }
  expect(added).toMatch(/^sku-/);
  await page.locator('#cart-link').click();
  await page.getByRole('button', { name: 'Place order (demo)' }).click();
  const row = page.locator('#exp-kpis tr', { has: page.locator('th', { hasText: 'model' }) });
  await expect(row.locator('td').nth(1)).toHaveText('1'); // carts
  await expect(row.locator('td').nth(2)).toHaveText('1'); // orders
  await expect(row.locator('td').nth(3)).toHaveText(/^[1-9][\d.]* EUR$/);
  const layer = await page.evaluate(() => (window as unknown as { dataLayer: { event?: string; inpage_variant?: string; ecommerce?: { items?: { item_id: string; item_list_id: string }[] } }[] }).dataLayer.filter((e) => e.event !== undefined));
  expect(layer.map((e) => e.event)).toEqual(['select_item', 'add_to_cart', 'purchase']);
  for (const e of layer) {
    expect(e.ecommerce?.items?.[0]).toMatchObject({ item_id: added, item_list_id: 'for-you' });
    expect(e.inpage_variant, 'a variant chosen with the switch is QA: no experiment parameters').toBeUndefined();
  }
  await expect(page.locator('#exp-events li')).toHaveCount(3);
  await expect(page.locator('#exp-events li').first()).toContainText('"event":"purchase"');

  // The simulated experiment page (written by `npm run assets`): the report of simulate-ab, labelled.
  const href = await page.locator('#exp-simulated').getAttribute('href');
  const simulated = await page.evaluate(async (u) => { const r = await fetch(u!); return { status: r.status, text: await r.text() }; }, href);
  expect(simulated.status).toBe(200);
  expect(simulated.text).toContain('SIMULATED DATA');
  expect(simulated.text).toMatch(/<svg[^>]*role="img"/);

  // The switch: the control shows the trending list even with a history.
  await page.locator('#opt-variant').selectOption('control');
  await expect(page).toHaveURL(/inpage-variant=control/);
  await expect(page.locator('#exp-variant')).toHaveText(/^control /);
  await page.getByRole('link', { name: /^Waypoint/ }).click();
  await expect(page.locator('#for-you[data-state="ready"] .card').first()).toBeVisible({ timeout: 90_000 });
  await expect(page.locator('#for-you .row-status')).not.toHaveText(/^Ranked on this device/);
});
