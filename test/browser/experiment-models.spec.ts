/**
 * An experiment arm with a model package of its own (`variants[i].manifest`), on both backends:
 * the arm's lists are exactly what that package gives on its own, the other arm's are the
 * recommender's own package's, the arm's package is fetched only for visitors in that arm, and a
 * broken arm package fails the list with a typed error and is retried on the next call.
 *
 * Package B is a second model trained here from the demo's data with other settings (1 epoch,
 * seed 7), so the two arms really run two different models.
 */
import { test, expect } from './fixtures.ts';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const armDir = join(repo, `test/.build/reco-arm-${process.pid}`);

test.beforeAll(() => {
  rmSync(armDir, { recursive: true, force: true });
  mkdirSync(armDir, { recursive: true });
  execFileSync(process.execPath, ['bin/inpage.js', 'train', '--catalog', 'public/shop/catalog.json', '--events', 'public/shop/events.csv', '--out', armDir,
    '--no-validation', '--epochs', '1', '--seed', '7', '--no-search'], { cwd: repo, stdio: 'pipe' });
});
test.afterAll(() => rmSync(armDir, { recursive: true, force: true }));

test('an arm with its own model package: its lists are that package\'s, fetched only for its visitors; a broken one fails typed and is retried', async ({ openHarness, expectedBackend }) => {
  const page = await openHarness();
  const armRequests: string[] = [];
  let broken = true;
  await page.route('**/reco-arm/**', async (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop()!;
    armRequests.push(name);
    if (broken && name === 'manifest.json') return route.fulfill({ status: 503, body: 'deploying' });
    return route.fulfill({ body: readFileSync(join(armDir, name)), contentType: name.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
  });
  const run = (stage: 'A' | 'broken' | 'B'): Promise<unknown> => page.evaluate(async ({ stage, backend }) => {
    type W = { __e?: Awaited<ReturnType<typeof window.inpage.createEngine>> };
    const w = window as unknown as W;
    w.__e ??= await window.inpage.createEngine({ backend });
    const engine = w.__e;
    const experiment = { id: 'reco-retrained', variants: [{ name: 'A' }, { name: 'B', manifest: '../reco-arm/manifest.json' }] };
    const views = ['sku-10001', 'sku-10007', 'sku-10013'];
    const make = async (forced: string | undefined, manifestUrl = 'reco/manifest.json') => {
      const rec = await window.inpage.createRecommender({ engine, manifestUrl, storage: null, ...(forced === undefined ? {} : { experiment, pageUrl: () => `https://shop.example/?inpage-variant=${forced}` }) });
      for (const id of views) rec.track({ type: 'view', itemId: id });
      return rec;
    };
    const lists = async (rec: Awaited<ReturnType<typeof make>>) => ({
      forYou: (await rec.recommend({ strategy: 'for-you', k: 8 })),
      similar: (await rec.recommend({ strategy: 'similar', itemId: 'sku-10001', k: 6 })),
    });
    const ids = (l: { itemId: string }[]): string[] => l.map((x) => x.itemId);
    if (stage === 'A') {
      const a = await lists(await make('A'));
      const own = await lists(await make(undefined));
      return { a: ids(a.forYou), aSimilar: ids(a.similar), own: ids(own.forYou), ownSimilar: ids(own.similar), variants: [...new Set(a.forYou.map((x) => x.variant))] };
    }
    const rec = await make('B');
    if (stage === 'broken') {
      try {
        await rec.recommend({ strategy: 'for-you', k: 8 });
        return { threw: false };
      } catch (e) {
        const err = e as { name: string; code: string; message: string };
        return { threw: true, name: err.name, code: err.code, message: err.message };
      }
    }
    const b = await lists(rec);
    const alone = await lists(await make(undefined, 'reco-arm/manifest.json'));
    return { b: ids(b.forYou), bSimilar: ids(b.similar), alone: ids(alone.forYou), aloneSimilar: ids(alone.similar), variants: [...new Set(b.forYou.map((x) => x.variant))], title: rec.item(b.forYou[0]!.itemId)?.title };
  }, { stage, backend: expectedBackend });

  // Arm A uses the recommender's own package and never fetches B's.
  const a = await run('A') as { a: string[]; aSimilar: string[]; own: string[]; ownSimilar: string[]; variants: string[] };
  expect(a.a).toHaveLength(8);
  expect(a.a).toEqual(a.own);
  expect(a.aSimilar).toEqual(a.ownSimilar);
  expect(a.variants).toEqual(['A']);
  expect(armRequests).toEqual([]);

  // B's package is being redeployed: a typed error naming it, no list from the wrong model.
  const failed = await run('broken') as { threw: boolean; name: string; code: string; message: string };
  expect(failed).toMatchObject({ threw: true, name: 'InpageError', code: 'MODEL_FETCH_FAILED' });
  expect(failed.message).toContain('reco-arm/manifest.json');
  expect(armRequests).toContain('manifest.json');

  // Back up: arm B's lists are exactly package B's own, and differ from A's.
  broken = false;
  const b = await run('B') as { b: string[]; bSimilar: string[]; alone: string[]; aloneSimilar: string[]; variants: string[]; title: string | undefined };
  expect(b.b).toHaveLength(8);
  expect(b.b).toEqual(b.alone);
  expect(b.bSimilar).toEqual(b.aloneSimilar);
  expect(b.variants).toEqual(['B']);
  expect(b.b).not.toEqual(a.a);
  expect(b.title).toBeTruthy();
  expect(armRequests.some((n) => n.endsWith('.onnx'))).toBe(true);
});
