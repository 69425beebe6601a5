/**
 * Builds the consumer fixtures (test/fixtures/consumers) against the packed package: `npm pack`,
 * the tarball unpacked into each app's node_modules/inpage, the app built with its bundler and
 * no Inpage configuration. Done once per change of dist/ or the fixtures (a stamp records their
 * hash), under a lock so the two Playwright workers do not build at the same time.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Configuration, Stats } from 'webpack';
import { exclusive } from './exclusive.ts';
import { root } from './fixtures.ts';

const run = promisify(execFile);
const work = root('test/.build/consumers');

/** Where each built app lives (served with public/ for the models). */
export interface ConsumerApps {
  vite: string[];
  /** The Vite app built with `worker.format: 'es'`, for cross-origin isolated pages. */
  'vite-threads': string[];
  webpack: string[];
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
}

/** Hash of what the apps are built from: the package's files, the fixtures and this recipe. */
async function inputsHash(): Promise<string> {
  const h = createHash('sha256');
  const recipe = root('test/e2e/consumers.ts');
  for (const f of [root('package.json'), recipe, ...await listFiles(root('dist')), ...await listFiles(root('test/fixtures/consumers'))]) {
    const s = await stat(f);
    h.update(`${relative(root('.'), f)}\0${s.size}\0${s.mtimeMs}\0`);
  }
  return h.digest('hex');
}

async function unpackInto(app: string, tarball: string): Promise<void> {
  const pkg = join(app, 'node_modules/inpage');
  await mkdir(pkg, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', pkg, '--strip-components=1']);
}

async function buildVite(app: string): Promise<void> {
  // `vite build` in the app folder: no config file, as a customer would run it.
  await run(process.execPath, [root('node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: app });
  await run(process.execPath, [root('node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--config', 'vite.threads.config.js'], { cwd: app });
  // The published declarations, checked strictly (skipLibCheck off) from the customer's side.
  await run(process.execPath, [root('node_modules/typescript/bin/tsc'), '-p', join(app, 'tsconfig.json')], { cwd: app });
}

async function buildWebpack(app: string): Promise<void> {
  const { default: webpack } = await import('webpack');
  const config = (await import(pathToFileURL(join(app, 'webpack.config.mjs')).href) as { default: Configuration }).default;
  const stats = await new Promise<Stats | undefined>((resolve, reject) => webpack(config, (err, s) => (err ? reject(err) : resolve(s))));
  if (!stats || stats.hasErrors()) throw new Error(`webpack failed:\n${stats?.toString({ colors: false, all: false, errors: true }) ?? 'no stats'}`);
}

/**
 * Packs, unpacks and builds both apps unless nothing changed since the last time.
 *
 * @example const apps = await prepareConsumers(); serve({ roots: [...apps.vite, root('public')] })
 */
export async function prepareConsumers(): Promise<ConsumerApps> {
  const apps: ConsumerApps = {
    vite: [join(work, 'vite-app/dist')],
    'vite-threads': [join(work, 'vite-app/dist-threads')],
    webpack: [join(work, 'webpack-app/dist'), join(work, 'webpack-app')],
  };
  await exclusive(join(work, '..', 'consumers.lock'), async () => {
    const hash = await inputsHash();
    const stampFile = join(work, 'stamp');
    if ((await readFile(stampFile, 'utf8').catch(() => '')) === hash) return;
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: root('.'), maxBuffer: 64 * 1024 * 1024 });
    const tarball = join(work, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);
    for (const name of ['vite-app', 'webpack-app']) {
      await cp(root(`test/fixtures/consumers/${name}`), join(work, name), { recursive: true });
      await unpackInto(join(work, name), tarball);
    }
    await buildVite(join(work, 'vite-app'));
    await buildWebpack(join(work, 'webpack-app'));
    await writeFile(stampFile, hash);
  });
  return apps;
}
