/**
 * An A/B experiment and a merchandising rule through the script tag (`data-experiment`,
 * `data-rules`), in real Chromium: a visitor in variant B sees the list (with the pinned item) and
 * the page's `window.dataLayer` receives GA4's view_item_list, select_item, add_to_cart and
 * purchase with the list id, the items, the experiment and the variant; a visitor in the control
 * ('none') sees nothing and only its exposure is pushed. The visitor's stored random id decides the variant
 * (set before the page loads, as a returning visitor's).
 */
import { assignVariant, parseExperiment } from '../../src/experiments/index.ts';
import { expect, settled, test } from './fixtures.ts';

const EXPERIMENT = parseExperiment({ id: 'e2e-exp', variants: [{ name: 'control', control: true, list: 'none' }, { name: 'B' }] });

/** A stored-id value that the experiment assigns to `variant`. */
function idFor(variant: string): string {
  for (let i = 1; ; i++) {
    const id = i.toString(16).padStart(32, '0');
    if (assignVariant(EXPERIMENT, id, undefined).variant === variant) return id;
  }
}

type Layer = { event?: string; inpage_list_id?: string; ecommerce?: { item_list_id?: string; transaction_id?: string; value?: number; currency?: string; items: { item_id: string; item_list_id: string; index?: number }[] } | null; inpage_experiment?: string; inpage_variant?: string }[];

test.describe.configure({ timeout: 150_000 });

for (const variant of ['B', 'control'] as const) {
  test(`script tag, variant ${variant}: ${variant === 'B' ? 'GA4 events with list, experiment and variant reach the dataLayer' : 'the control renders nothing and pushes only its exposure'}`, async ({ page, visit }, info) => {
    test.skip(info.project.name === 'webgpu' && variant === 'control', 'no model output to check: one project is enough');
    const id = idFor(variant);
    await page.addInitScript((stored) => localStorage.setItem('inpage:exp:id', stored), JSON.stringify({ v: 1, id, t: Date.now() }));
    const v = await visit('plain', 'experiment.html');
    const result = await settled(v);
    expect(result.type, JSON.stringify(result.detail)).toBe('inpage:render');
    const shown = (result.detail as { itemIds: string[] }).itemIds;
    const el = v.page.locator('inpage-recommendations');
    if (variant === 'control') {
      await expect(el).toHaveAttribute('data-state', 'empty');
      expect(shown).toEqual([]);
      await v.page.waitForTimeout(500);
      // Only the exposure: the visitor counts in the control arm although nothing was shown.
      expect(await v.page.evaluate(() => (window as unknown as { dataLayer: unknown[] }).dataLayer)).toEqual([
        { event: 'inpage_exposure', inpage_experiment: 'e2e-exp', inpage_variant: 'control', inpage_list_id: 'home-picks' },
      ]);
      return;
    }
    expect(shown).toHaveLength(4);
    // data-rules: the pin for this list id is at slot 1 (sku-10001 is no trending top item).
    expect(shown[0]).toBe('sku-10001');
    await expect(el.locator('[part="reason"]').first()).toHaveText('Featured');
    // Impressions (cards half visible) → one view_item_list.
    await v.page.waitForFunction(() => (window as unknown as { dataLayer: { event?: string }[] }).dataLayer.some((e) => e.event === 'view_item_list'));
    // A click on the second card (navigation cancelled, as a client-side router would), then the shop's cart and checkout.
    await v.page.evaluate(() => document.addEventListener('inpage:click', (e) => e.preventDefault(), { once: true }));
    await el.locator('[part="link"]').nth(1).click();
    await v.page.evaluate((item) => {
      const inpage = (window as unknown as { Inpage: { track(e: object): void } }).Inpage;
      inpage.track({ type: 'add_to_cart', itemId: item });
      inpage.track({ type: 'purchase', itemId: item, value: 129.9, currency: 'EUR', transactionId: 'T-e2e-1' });
    }, shown[1]!);
    await v.page.waitForFunction(() => (window as unknown as { dataLayer: { event?: string }[] }).dataLayer.some((e) => e.event === 'purchase'));
    const layer = await v.page.evaluate(() => (window as unknown as { dataLayer: Layer }).dataLayer);
    expect(layer[0]).toEqual({ event: 'inpage_exposure', inpage_experiment: 'e2e-exp', inpage_variant: 'B', inpage_list_id: 'home-picks' });
    const events = layer.filter((e) => e.event !== undefined && e.event !== 'inpage_exposure');
    expect(events.map((e) => e.event)).toEqual(['view_item_list', 'select_item', 'add_to_cart', 'purchase']);
    // GA4's convention: each e-commerce event follows an ecommerce reset.
    layer.forEach((e, i) => { if (e.event !== undefined && e.event !== 'inpage_exposure') expect(layer[i - 1]).toEqual({ ecommerce: null }); });
    for (const e of events) {
      expect(e.inpage_experiment).toBe('e2e-exp');
      expect(e.inpage_variant).toBe('B');
      for (const it of e.ecommerce!.items) expect(it.item_list_id).toBe('home-picks');
    }
    expect(events[0]!.ecommerce!.item_list_id).toBe('home-picks');
    expect(events[0]!.ecommerce!.items.map((i) => i.item_id)).toEqual(shown);
    expect(events[1]!.ecommerce!.items.map((i) => i.item_id)).toEqual([shown[1]]);
    expect(events[3]!.ecommerce).toMatchObject({ transaction_id: 'T-e2e-1', value: 129.9, currency: 'EUR', items: [{ item_id: shown[1] }] });
    // The id the page stored before is the one used (sticky), nothing else was created for it.
    expect(await v.page.evaluate(() => JSON.parse(localStorage.getItem('inpage:exp:id')!).id)).toBe(id);
  });
}
