/**
 * The worker holds a Web Lock for its whole life. The page queues for the same lock and is
 * granted it the moment the worker dies — by crash, `self.close()`, out-of-memory or
 * `terminate()` — none of which reliably fires an event on the page (comlink's calls hang
 * forever in that case).
 */

/** Acquire `name` and never release it; resolves once the lock is held. */
export function holdLifeLock(name: string): Promise<boolean> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    locks.request(name, () => {
      resolve(true);
      return new Promise<never>(() => {});
    }).catch(() => resolve(false));
  });
}
