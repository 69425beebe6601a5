/**
 * Work that two Playwright workers must not do at the same time (packing the npm tarball,
 * generating demo data): a lock directory (mkdir is atomic), released when `work` settles.
 * A lock older than `staleMs` is from a killed run and is broken.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Runs `work` while holding the lock at `lockDir`.
 *
 * @example await exclusive('test/.build/consumers.lock', () => buildConsumers());
 */
export async function exclusive<T>(lockDir: string, work: () => Promise<T>, staleMs = 10 * 60_000): Promise<T> {
  await mkdir(dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = await stat(lockDir).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > staleMs) await rm(lockDir, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
