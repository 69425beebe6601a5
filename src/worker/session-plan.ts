/**
 * Which session a model gets: the backend plan (the caller's preference and the device), a
 * failed build on one backend as the reason for the next, a remembered "WASM wins" verdict that
 * skips building on WebGPU, and the measured choice under 'auto'. Every ORT step runs in the
 * load's executor lane.
 */
import { wasmBackend } from '../backends/onnx.ts';
import type { Lane } from '../backends/ort-runtime.ts';
import type { BackendRegistry, SessionHandle } from '../backends/types.ts';
import { InpageError, toInpageError } from '../errors.ts';
import { planBackends } from '../routing/backend-order.ts';
import type { VerdictStore } from '../routing/verdict-store.ts';
import type { BackendPreference } from '../types.ts';
import type { DeviceWatch } from './device-watch.ts';
import { applyRemembered, chooseMeasured, rememberedWasm } from './measured-choice.ts';
import type { HostState } from './state.ts';

export class SessionPlanner {
  constructor(private readonly registry: BackendRegistry, private readonly verdicts: VerdictStore, private readonly device: DeviceWatch) {}

  /** The session to keep for `bytes` (hash `sha256`) under `pref`. */
  async build(s: HostState, bytes: Uint8Array, sha256: string, pref: BackendPreference, lane: Lane): Promise<SessionHandle> {
    const measuring = pref === 'auto' && s.caps.webgpu && s.opts.measure;
    const wasmWins = measuring ? await rememberedWasm(s, sha256, this.verdicts) : undefined;
    if (wasmWins) {
      const session = await wasmBackend.create(bytes, s.ctx, lane);
      applyRemembered(s, wasmWins);
      return session;
    }
    const session = await this.firstThatBuilds(s, bytes, pref, lane);
    return measuring && session.backend === 'webgpu' ? chooseMeasured(s, session, bytes, sha256, this.verdicts, lane) : session;
  }

  /** Try the planned backends in order; a failure on one is the reason for the next. */
  private async firstThatBuilds(s: HostState, bytes: Uint8Array, pref: BackendPreference, lane: Lane): Promise<SessionHandle> {
    const plan = planBackends(pref, this.registry, s.caps);
    let lastError: InpageError | undefined;
    for (const [i, factory] of plan.order.entries()) {
      try {
        const session = await factory.create(bytes, s.ctx, lane);
        if (session.backend === 'webgpu') this.device.watch(s);
        const reason = i === 0 ? plan.reason : `auto: ${lastError?.message ?? 'the preferred backend failed'}; running on ${session.backend}`;
        s.setBackend(session.backend, reason);
        return session;
      } catch (e) {
        const err = toInpageError(e, 'MODEL_INVALID', `session failed on ${factory.name}`);
        if (err.code === 'ABORTED') throw err;
        lastError = i < plan.order.length - 1 ? new InpageError(err.code, `session failed on ${factory.name}: ${err.message}`, err.details) : err;
      }
    }
    throw lastError ?? new InpageError('BACKEND_UNAVAILABLE', 'No backend could build the model.');
  }
}
