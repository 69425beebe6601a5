/**
 * Panel: the levers. Backend (a new engine with `createEngine({ backend })`), micro-batching
 * (`engine.load(..., { batch: false })`), the result cache (`model.run(..., { cache })`).
 * A lever that cannot apply (WebGPU forced where there is none) says why and snaps back.
 */
import type { BackendPreference } from 'inpage';
import { byId, setText } from '../dom.ts';
import type { Settings } from '../app/settings.ts';

export function bindControls(initial: Settings, apply: (next: Settings) => Promise<void>): void {
  const radios = [...document.querySelectorAll<HTMLInputElement>('input[name="backend"]')];
  const batch = byId<HTMLInputElement>('opt-batch');
  const cache = byId<HTMLInputElement>('opt-cache');
  const status = byId('controls-status');
  let current = initial;

  const show = (s: Settings): void => {
    for (const r of radios) r.checked = r.value === s.backend;
    batch.checked = s.batch;
    cache.checked = s.cache;
  };
  show(initial);

  // Changes run one after another; controls stay enabled (disabling the focused one would throw
  // keyboard focus back to the top of the page).
  let chain = Promise.resolve();
  const change = (patch: Partial<Settings>, what: string): void => {
    chain = chain.then(async () => {
      const next = { ...current, ...patch };
      setText(status, `${what}…`);
      try {
        await apply(next);
        current = next;
        setText(status, `${what}: done.`);
      } catch (e) {
        show(current);
        setText(status, `${what} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  };

  for (const r of radios) {
    r.addEventListener('change', () => {
      if (!r.checked) return;
      const backend = r.value as BackendPreference;
      change({ backend }, `Starting a new engine on ${backend === 'auto' ? 'the automatic choice' : backend.toUpperCase()}`);
    });
  }
  batch.addEventListener('change', () => change({ batch: batch.checked }, `Reloading the model with batching ${batch.checked ? 'on' : 'off'}`));
  cache.addEventListener('change', () => change({ cache: cache.checked }, `Result cache ${cache.checked ? 'on' : 'off'}`));
}
