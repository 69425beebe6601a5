/**
 * Builds the harness (as a consumer's Vite build would), writes the test models and starts one
 * static server for all browser tests. Its URL reaches the test workers through the env.
 */
import { build } from 'vite';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { serve } from '../server/static-server.ts';
import { testModels } from '../../tools/models/index.ts';
import { writeModels } from '../../tools/models/write.ts';

const root = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));

export default async function globalSetup(): Promise<() => Promise<void>> {
  await writeModels(testModels, root('public/models'));
  // A build folder per run: two test runs at once (two developers, or a developer and a
  // helper) must not empty each other's harness mid-test.
  const outDir = root(`test/.build/app-${process.pid}`);
  await build({ configFile: root('test/browser/vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await serve({ roots: [outDir, root('public')] });
  process.env['INPAGE_TEST_URL'] = server.url;
  return async () => {
    await server.close();
    await rm(outDir, { recursive: true, force: true });
  };
}
