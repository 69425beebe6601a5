/**
 * The backend interface and its registry. Backends are registered with a priority; the
 * priority order doubles as the fallback order (ORT's `registerBackend`, transformers.js' task
 * table), so adding a backend never means editing a `switch`.
 */
import type { Capabilities } from '../capabilities.ts';
import type { TensorInfo, Tensors } from '../tensor.ts';
import type { BackendName } from '../types.ts';
import type { Lane, OrtFlavour, OrtRuntime } from './ort-runtime.ts';

/** A built model on one backend. Its runs are serialised by its batcher; every ORT call by the executor. */
export interface SessionHandle {
  readonly backend: BackendName;
  readonly inputs: TensorInfo[];
  readonly outputs: TensorInfo[];
  /**
   * Run once. `lane` is the executor lane (default 'run'; warm-up and measurement pass their
   * load's). `timing.ms`, when given, is set to the time the run itself took, without the wait
   * for the executor.
   */
  run(feeds: Tensors, lane?: Lane, timing?: { ms: number }): Promise<Tensors>;
  release(): Promise<void>;
}

/** What a backend may use to build a session. */
export interface BackendContext {
  readonly runtime: OrtRuntime;
  /** Which ORT build runs CPU sessions: the WebGPU build when it is (or will be) loaded anyway. */
  readonly cpuFlavour: OrtFlavour;
}

/** A named way to run ONNX models. */
export interface BackendFactory {
  readonly name: BackendName;
  /** Higher runs first under `'auto'`. */
  readonly priority: number;
  /** `null` when usable on this device, otherwise why not (shown in `info().reason`). */
  unavailableReason(caps: Capabilities): string | null;
  /** Build a session; its build step runs in `lane` (a load's lane; default 'run'). */
  create(bytes: Uint8Array, ctx: BackendContext, lane?: Lane): Promise<SessionHandle>;
}

/** Backends by name, ordered by priority. One registry per engine: no global state. */
export class BackendRegistry {
  private readonly factories = new Map<BackendName, BackendFactory>();

  register(factory: BackendFactory): this {
    this.factories.set(factory.name, factory);
    return this;
  }

  get(name: BackendName): BackendFactory | undefined {
    return this.factories.get(name);
  }

  /** All registered backends, highest priority first. */
  byPriority(): BackendFactory[] {
    return [...this.factories.values()].sort((a, b) => b.priority - a.priority);
  }
}
