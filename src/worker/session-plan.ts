/**
 * Which session a model gets: the backend plan (the caller's preference and the device), a
 * failed build on one backend as the reason for the next, and under 'auto' on a device with a
 * WebGPU adapter the tier-up rule: answer on WASM at once and measure WebGPU later in the
 * background (tier-up.ts), unless a verdict from an earlier visit already says which backend
 * wins, in which case only that backend's runtime is loaded and only its session built. Every
 * ORT step runs in the load's executor lane.
 */
import { wasmBackend } from '../backends/onnx.ts';
import type { Lane } from '../backends/ort-runtime.ts';
import type { BackendFactory, BackendRegistry, SessionHandle } from '../backends/types.ts';
import { InpageError, toInpageError } from '../errors.ts';
import { planBackends } from '../routing/backend-order.ts';
import type { VerdictStore } from '../routing/verdict-store.ts';
import type { BackendPreference } from '../types.ts';
import type { DeviceWatch } from './device-watch.ts';
import { applyRemembered, remembered } from './measured-choice.ts';
import type { HostState } from './state.ts';

/** A built session, and whether the background tier-up should measure WebGPU for it. */
export interface PlannedSession {
  session: SessionHandle;
  tierUp: boolean;
}

export class SessionPlanner {
  constructor(private readonly registry: BackendRegistry, private readonly verdicts: VerdictStore, private readonly device: DeviceWatch) {}

  /** The session to start with for `bytes` (hash `sha256`) under `pref`. */
  async build(s: HostState, bytes: Uint8Array, sha256: string, pref: BackendPreference, lane: Lane): Promise<PlannedSession> {
    const measuring = pref === 'auto' && s.caps.webgpu && s.opts.measure;
    if (!measuring) return { session: await this.firstThatBuilds(s, bytes, pref, lane), tierUp: false };
    const plan = planBackends('auto', this.registry, s.caps);
    const verdict = await remembered(s, sha256, this.verdicts);
    if (verdict) {
      // Only the winner is built (and only its runtime imported); the other stays a fallback.
      const order = [...plan.order].sort((a, b) => (a.name === verdict.chosen ? -1 : b.name === verdict.chosen ? 1 : 0));
      const session = await this.firstThatBuilds(s, bytes, pref, lane, order);
      if (session.backend === verdict.chosen) applyRemembered(s, verdict);
      return { session, tierUp: false };
    }
    const wasmFirst = [wasmBackend, ...plan.order.filter((f) => f.name !== 'wasm')];
    const session = await this.firstThatBuilds(s, bytes, pref, lane, wasmFirst,
      `auto: answering on wasm at once; ${s.caps.webgpuReason} is measured in the background once the worker is idle, and the model switches to it only if it is faster (tier-up)`);
    return { session, tierUp: session.backend === 'wasm' };
  }

  /** Try the planned backends in order; a failure on one is the reason for the next. */
  private async firstThatBuilds(s: HostState, bytes: Uint8Array, pref: BackendPreference, lane: Lane, order?: BackendFactory[], firstReason?: string): Promise<SessionHandle> {
    const plan = planBackends(pref, this.registry, s.caps);
    const tries = order ?? plan.order;
    let lastError: InpageError | undefined;
    for (const [i, factory] of tries.entries()) {
      try {
        const session = await factory.create(bytes, s.ctx, lane);
        if (session.backend === 'webgpu') this.device.watch(s);
        const reason = i === 0 ? firstReason ?? plan.reason : `auto: ${lastError?.message ?? 'the preferred backend failed'}; running on ${session.backend}`;
        s.setBackend(session.backend, reason);
        return session;
      } catch (e) {
        const err = toInpageError(e, 'MODEL_INVALID', `session failed on ${factory.name}`);
        if (err.code === 'ABORTED') throw err;
        lastError = i < tries.length - 1 ? new InpageError(err.code, `session failed on ${factory.name}: ${err.message}`, err.details) : err;
      }
    }
    throw lastError ?? new InpageError('BACKEND_UNAVAILABLE', 'No backend could build the model.');
  }
}
