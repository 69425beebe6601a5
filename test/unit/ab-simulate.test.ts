/**
 * `simulate-ab` → `report`, end to end in Node on a tiny trained shop: the real recommender
 * (the packaged model on its plain-JS reference) serves simulated shoppers, its GA4 events become the export, the report
 * reads it. Deterministic in the seed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateAb } from '../../tools/ab/simulate-ab.ts';
import { analyse } from '../../tools/report/analyse.ts';
import { parseJsonl } from '../../tools/report/read-export.ts';
import { TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { writeShop } from '../../tools/shop/generate.ts';
import { train } from '../../tools/train/train.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-ab-'));
  await writeShop(join(dir, 'shop'), TINY_SHOP_CONFIG);
  await train({ catalog: join(dir, 'shop', 'catalog.json'), events: join(dir, 'shop', 'events.csv'), outDir: dir, model: { epochs: 2 } });
}, 120_000);
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('simulate-ab', () => {
  it('writes a simulated export that the report reads, the same for the same seed', async () => {
    const run = () => simulateAb({ packageDir: dir, visitors: 160, seed: 7, days: 7, shop: TINY_SHOP_CONFIG });
    const a = await run();
    const b = await run();
    expect(b.lines).toEqual(a.lines);
    const parsed = parseJsonl(a.lines.join('\n'));
    expect(parsed.simulated).toBe(true);
    expect(parsed.bad).toEqual([]);
    const types = new Set(parsed.events.map((e) => e.event));
    expect([...types].sort()).toEqual(['add_to_cart', 'inpage_exposure', 'purchase', 'select_item', 'view_item_list']);
    // Every event names the experiment and a variant (all visitors consent and none is forced).
    for (const e of parsed.events) expect([e.experiment, ['control', 'model'].includes(e.variant ?? '')]).toEqual(['reco-sim', true]);
    const r = analyse(parsed);
    expect(r.simulated).toBe(true);
    expect(r.arms.map((x) => x.variant)).toEqual(['control', 'model']);
    expect(r.arms.reduce((n, x) => n + x.visitors, 0)).toBe(160);
    expect(r.mixedVisitors).toBe(0);
    // Control shows the trending list: a control visitor's first list (no history yet) is the same for all.
    const first = new Map<string, string>();
    for (const e of parsed.events) if (e.event === 'view_item_list' && !first.has(e.visitor)) first.set(e.visitor, `${e.variant}:${e.items.join()}`);
    const controlFirst = [...first.values()].filter((x) => x.startsWith('control:'));
    expect(controlFirst.length).toBeGreaterThan(40);
    expect(new Set(controlFirst).size).toBe(1);
    const events = parsed.events.filter((e) => e.time < Date.parse(`${TINY_SHOP_CONFIG.endDate}T00:00:00Z`) + 8 * 86_400_000);
    expect(events.length).toBe(parsed.events.length);
  }, 120_000);
});
