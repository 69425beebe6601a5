/**
 * The published CLI as a customer gets it: `npm pack`, the tarball installed into an empty
 * project offline (`npm ci` from a lockfile: dependencies from the npm cache, as this repository's
 * `npm ci` left it), then `npx inpage`.
 *
 * The package is staged from the repo's package.json, README and bin/ plus a fresh dist/cli
 * (scripts/build-dist.ts `buildCli`), so the test needs no full `npm run build` and always checks
 * the current sources; the rest of dist/ is the consumer test's business (test/e2e/consumers.ts).
 * The installed project has no tsx, TypeScript or tools/: only the bundle can make this pass.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-dist.ts';
import { parseManifest } from '../../src/recommend/manifest.ts';

const run = promisify(execFile);
const repo = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));

let dir = '';
let app = '';
let packed: string[] = [];

/** `npx inpage …` in the installed project, offline, never fetching a package. */
function npx(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('npx', ['--offline', '--no', '--', 'inpage', ...args], { cwd: app, env: { ...process.env, npm_config_update_notifier: 'false' } });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-cli-pkg-'));
  const stage = join(dir, 'package');
  await mkdir(stage, { recursive: true });
  for (const f of ['package.json', 'README.md', 'bin']) await cp(repo(f), join(stage, f), { recursive: true });
  await buildCli(join(stage, 'dist/cli'));

  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: stage, maxBuffer: 16 * 1024 * 1024 });
  const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  packed = info!.files.map((f) => f.path).sort();

  app = join(dir, 'app');
  await mkdir(app);
  const tarball = join(dir, info!.filename);
  const manifest = JSON.parse(await readFile(join(stage, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; bin: Record<string, string> };
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'cli-consumer', version: '1.0.0', private: true, dependencies: { inpage: `file:${tarball}` } }));
  await writeFile(join(app, 'package-lock.json'), JSON.stringify(await consumerLock(tarball, manifest)));
  try {
    // `npm ci` from a lockfile takes every tarball from the npm cache by its integrity, as this
    // repository's own `npm ci` left it, and never asks the registry for package metadata (an
    // `npm install --offline` would: its cache holds no packuments after a plain `npm ci`).
    await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app, maxBuffer: 16 * 1024 * 1024 });
  } catch (e) {
    throw new Error(`npm ci --offline of the tarball failed; its dependencies must be in the npm cache (run \`npm ci\` in this repository first).\n${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
}, 120_000);

type LockEntry = { version?: string; resolved?: string; integrity?: string; dependencies?: Record<string, string>; bin?: Record<string, string>; license?: string; engines?: Record<string, string> };

/**
 * A lockfile for a project that depends only on the packed tarball: the tarball's runtime
 * dependencies, and theirs, copied from this repository's package-lock.json (same versions and
 * integrity hashes the repository's `npm ci` put in the cache).
 */
async function consumerLock(tarball: string, manifest: { version: string; dependencies: Record<string, string>; bin: Record<string, string> }): Promise<unknown> {
  const repoLock = JSON.parse(await readFile(repo('package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, LockEntry> = {
    '': { dependencies: { inpage: `file:${tarball}` } } as LockEntry,
    'node_modules/inpage': { version: manifest.version, resolved: `file:${tarball}`, dependencies: manifest.dependencies, bin: manifest.bin },
  };
  const queue = Object.keys(manifest.dependencies);
  while (queue.length > 0) {
    const name = queue.shift()!;
    const path = `node_modules/${name}`;
    if (packages[path]) continue;
    const entry = repoLock.packages[path];
    if (!entry) throw new Error(`${name} is not in package-lock.json`);
    const { version, integrity, dependencies, bin, license, engines } = entry;
    // npm 11 leaves `resolved` out of registry entries; without it `npm ci` would ask the registry
    // for the package's metadata to find the tarball, so name the tarball the registry serves.
    const resolved = entry.resolved ?? `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${version}.tgz`;
    packages[path] = Object.fromEntries(Object.entries({ version, resolved, integrity, dependencies, bin, license, engines }).filter(([, v]) => v !== undefined));
    queue.push(...Object.keys(dependencies ?? {}));
  }
  return { name: 'cli-consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the packed inpage CLI', () => {
  it('ships bin/ and the bundled CLI, not the TypeScript sources', () => {
    expect(packed).toEqual(expect.arrayContaining(['bin/inpage.js', 'dist/cli/main.js', 'dist/cli/THIRD_PARTY_NOTICES.txt', 'package.json']));
    expect(packed.filter((p) => p.startsWith('tools/') || p.endsWith('.ts'))).toEqual([]);
  });

  it('installs without TypeScript tooling and prints its help through npx', async () => {
    await expect(stat(join(app, 'node_modules/tsx'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(join(app, 'node_modules/inpage/tools'))).rejects.toMatchObject({ code: 'ENOENT' });
    const { stdout } = await npx(['--help']);
    expect(stdout).toContain('Usage: inpage <command> [options]');
    expect(stdout).toMatch(/train\s+train a recommender package/);
  });

  it('trains a package from a few events: manifest.json written and valid', async () => {
    const catalog = {
      categories: [{ id: 'tents', name: 'Tents' }, { id: 'bags', name: 'Sleeping bags' }],
      products: [
        { id: 't1', title: 'Dome tent for two', category: 'tents', price: 199, inStock: true },
        { id: 't2', title: 'Tunnel tent for three', category: 'tents', price: 249, inStock: true },
        { id: 'b1', title: 'Down sleeping bag', category: 'bags', price: 149, inStock: true },
        { id: 'b2', title: 'Synthetic sleeping bag', category: 'bags', price: 89, inStock: false },
      ],
    };
    const events = [
      'session_id,item_id,event,timestamp',
      's1,t1,view,2026-09-29T00:01:25Z', 's1,b1,click,2026-09-29T00:02:25Z',
      's2,t2,view,2026-09-29T01:01:25Z', 's2,b2,add_to_cart,2026-09-29T01:03:25Z',
      's3,t1,view,2026-09-29T02:01:25Z', 's3,t2,purchase,2026-09-29T02:05:25Z',
      's4,b1,view,2026-09-29T03:01:25Z', 's4,b2,impression,2026-09-29T03:02:25Z',
    ];
    await writeFile(join(app, 'catalog.json'), JSON.stringify(catalog));
    await writeFile(join(app, 'events.csv'), `${events.join('\n')}\n`);
    const { stdout, stderr } = await npx(['train', '--catalog', 'catalog.json', '--events', 'events.csv', '--out', 'reco', '--epochs', '1', '--dim', '4']);
    expect(stdout).toContain('trained 4 items × 4 dims from 7 events');
    // An impression row is not training data: skipped as an unknown event type, said once.
    expect(stderr).toContain('1 row with an unknown event type');
    // A catalogue without brands: said once on stderr, and the run still succeeds.
    expect(stderr).toContain('warning: no product has a brand: brand features were not learned.');
    const manifest = parseManifest(JSON.parse(await readFile(join(app, 'reco/manifest.json'), 'utf8')));
    expect(manifest.dims).toMatchObject({ items: 4, embedding: 4 });
    expect(Object.keys(manifest.weighting.event).sort()).toEqual(['add_to_cart', 'click', 'purchase', 'view']);
    expect((await stat(join(app, 'reco', manifest.model))).size).toBe(manifest.files[manifest.model]!.bytes);
  });

  it('personalises a newsletter with the trained package: the model runs on the installed onnxruntime-web, in worker threads', async () => {
    await writeFile(join(app, 'subscribers.csv'), [
      'subscriber_id,item_id,event,timestamp',
      'ann@example.com,t1,view,2026-09-29T00:01:25Z', 'ann@example.com,b1,click,2026-09-29T00:02:25Z',
      'bob@example.com,t2,impression,2026-09-29T01:01:25Z',
    ].join('\n') + '\n');
    const { stdout } = await npx(['recommend', '--reco', 'reco', '--histories', 'subscribers.csv', '--out', 'recs.csv', '--k', '2', '--link', 'https://shop.example/p/{id}']);
    expect(stdout).toContain('wrote 2 rows to recs.csv: 1 personal, 1 trending (no usable history)');
    expect(stdout).toContain('(onnxruntime-web WASM)');
    const rows = (await readFile(join(app, 'recs.csv'), 'utf8')).trim().split('\n');
    expect(rows).toHaveLength(3);
    // Ann viewed t1 and clicked b1: neither is offered again; b2 is out of stock.
    expect(rows[1]).toMatch(/^ann@example\.com,personal,t2,Tunnel tent for three,https:\/\/shop\.example\/p\/t2,,249,/);
    expect(rows[2]).toMatch(/^bob@example\.com,trending,/);
  });
});
