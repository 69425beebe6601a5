/**
 * Which backends to try, in which order, and why — from the caller's preference and the probed
 * capabilities. Pure: tested on fake capability tables.
 */
import type { BackendFactory, BackendRegistry } from '../backends/types.ts';
import type { Capabilities } from '../capabilities.ts';
import { InpageError } from '../errors.ts';
import type { BackendPreference } from '../types.ts';

export interface BackendPlan {
  /** Backends to try, first choice first; later ones are fallbacks. */
  order: BackendFactory[];
  /** Why the first one, in words. */
  reason: string;
}

/** Plan the backend order. Throws `WEBGPU_UNAVAILABLE` / `BACKEND_UNAVAILABLE` for a forced backend the device lacks. */
export function planBackends(pref: BackendPreference, registry: BackendRegistry, caps: Capabilities): BackendPlan {
  if (pref !== 'auto') {
    const f = registry.get(pref);
    const why = f ? f.unavailableReason(caps) : `backend '${pref}' is not registered`;
    if (!f || why !== null) {
      throw new InpageError(pref === 'webgpu' ? 'WEBGPU_UNAVAILABLE' : 'BACKEND_UNAVAILABLE',
        `backend: '${pref}' was requested but this device cannot use it: ${why}. Use backend: 'auto' to fall back automatically.`,
        { backend: pref, reason: why ?? '' });
    }
    return { order: [f], reason: `backend '${pref}' requested by the caller` };
  }
  const usable: BackendFactory[] = [];
  const skipped: string[] = [];
  for (const f of registry.byPriority()) {
    const why = f.unavailableReason(caps);
    if (why === null) usable.push(f);
    else skipped.push(`${why}`);
  }
  const first = usable[0];
  if (!first) {
    throw new InpageError('BACKEND_UNAVAILABLE', `No backend can run on this device: ${skipped.join('; ')}.`);
  }
  const reason = first.name === 'webgpu'
    ? `auto: ${caps.webgpuReason}`
    : `auto: ${skipped.length > 0 ? skipped.join('; ') : 'WASM has the highest priority'}`;
  return { order: usable, reason };
}
