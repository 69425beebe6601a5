/**
 * The worker's engine-wide state: capabilities, runtime context, and the current backend with
 * the reason for it and the history of switches (what `engine.info()` reports).
 */
import type { BackendContext } from '../backends/types.ts';
import type { Capabilities } from '../capabilities.ts';
import type { InitToWorker } from '../protocol.ts';
import type { BackendName, EngineInfo } from '../types.ts';
import { ORT_VERSION } from '../version.ts';
import type { BackendMeasurement } from '../routing/measure.ts';

export interface HostState {
  readonly opts: InitToWorker;
  readonly caps: Capabilities;
  readonly threads: number;
  readonly ctx: BackendContext;
  readonly backend: BackendName;
  readonly reason: string;
  readonly switches: EngineInfo['switches'];
  readonly measurements: BackendMeasurement[];
  /** Record the backend in use; a change is kept in `switches` with its reason. */
  setBackend(backend: BackendName, reason: string): void;
  /** The worker's WebGPU device is gone for good: later plans leave WebGPU out, with `reason`. */
  webgpuLost(reason: string): void;
}

export class HostStateImpl implements HostState {
  readonly switches: EngineInfo['switches'] = [];
  readonly measurements: BackendMeasurement[] = [];
  constructor(
    readonly opts: InitToWorker, public caps: Capabilities, readonly threads: number, readonly ctx: BackendContext,
    public backend: BackendName, public reason: string,
  ) {}

  setBackend(backend: BackendName, reason: string): void {
    if (backend !== this.backend) this.switches.push({ from: this.backend, to: backend, reason, at: Date.now() });
    this.backend = backend;
    this.reason = reason;
  }

  webgpuLost(reason: string): void {
    if (this.caps.webgpu) this.caps = Object.freeze({ ...this.caps, webgpu: false, webgpuReason: reason });
  }
}

/** The `engine.info()` snapshot (plain data, safe to post). */
export function engineInfo(s: HostState): EngineInfo {
  const base: EngineInfo = {
    backend: s.backend, reason: s.reason, webgpu: s.caps.webgpu, threads: s.threads,
    crossOriginIsolated: s.caps.crossOriginIsolated, simd: s.caps.simd, ortVersion: ORT_VERSION,
    switches: s.switches.map((w) => ({ ...w })),
    measurements: s.measurements.map((m) => ({ ...m, medians: { ...m.medians } })),
  };
  return s.caps.adapter ? { ...base, adapter: { ...s.caps.adapter, features: [...s.caps.adapter.features] } } : base;
}
