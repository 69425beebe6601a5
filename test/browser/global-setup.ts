/**
 * Builds the harness (as a consumer's Vite build would), writes the test models and starts one
 * static server for all browser tests. Its URL reaches the test workers through the env.
 */
import { build } from 'vite';
import { fileURLToPath } from 'node:url';
import { serve } from '../server/static-server.ts';
import { testModels } from '../../tools/models/index.ts';
import { writeModels } from '../../tools/models/write.ts';

const root = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));

export default async function globalSetup(): Promise<() => Promise<void>> {
  await writeModels(testModels, root('public/models'));
  await build({ configFile: root('test/browser/vite.config.ts'), logLevel: 'warn' });
  const server = await serve({ roots: [root('test/.build/app'), root('public')] });
  process.env['INPAGE_TEST_URL'] = server.url;
  return () => server.close();
}
