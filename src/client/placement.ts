/**
 * Which worker hosts a model or pipeline. Every engine has its `main` worker; a load that names
 * another worker (`{ worker: 'search' }`) gets a worker of its own, shared by everything loaded
 * under that name and stopped when the last of it is disposed. Measured (bench scenario 7): one
 * worker interleaves runs of loaded models between the steps of another model's load, but some
 * steps cannot be split (a first run that compiles new WASM kernels or WebGPU shaders takes up to
 * seconds in one ORT call); in a worker of its own such a load costs the other models nothing.
 */
import { InpageError } from '../errors.ts';
import type { WorkerSupervisor } from './supervisor.ts';

/** The engine's own worker. */
export const MAIN_WORKER = 'main';

/**
 * Checks a `worker` option; returns the worker's name (`'main'` when absent).
 *
 * @example workerName(undefined, 'engine.load()') // 'main'
 */
export function workerName(value: unknown, what: string): string {
  if (value === undefined) return MAIN_WORKER;
  if (typeof value !== 'string' || value === '' || value.length > 64) {
    throw new InpageError('OPTION_INVALID', `${what}: worker must be 'main' or a name of 1–64 characters for a worker of its own, got ${JSON.stringify(value)}.`);
  }
  return value;
}

export class Placement {
  private readonly named = new Map<string, { supervisor: WorkerSupervisor; residents: number }>();

  /** @param make starts the supervisor of a worker (not the worker itself: that starts on first use) */
  constructor(readonly main: WorkerSupervisor, private readonly make: () => WorkerSupervisor) {}

  /** The worker called `name`, created (not started) on first use. */
  get(name: string): WorkerSupervisor {
    if (name === MAIN_WORKER) return this.main;
    let entry = this.named.get(name);
    if (!entry) {
      entry = { supervisor: this.make(), residents: 0 };
      this.named.set(name, entry);
    }
    return entry.supervisor;
  }

  /** A model or pipeline now lives in `name`. */
  retain(name: string): void {
    const entry = this.named.get(name);
    if (entry) entry.residents++;
  }

  /** A model or pipeline of `name` was disposed: a named worker with nothing left stops. */
  release(name: string, stopped: InpageError): void {
    const entry = this.named.get(name);
    if (!entry) return;
    entry.residents--;
    if (entry.residents > 0) return;
    this.named.delete(name);
    entry.supervisor.dispose(stopped);
  }

  /** A load into `name` failed: a named worker that hosts nothing stops. */
  dropIfUnused(name: string, stopped: InpageError): void {
    const entry = this.named.get(name);
    if (!entry || entry.residents > 0) return;
    this.named.delete(name);
    entry.supervisor.dispose(stopped);
  }

  /** Every supervisor, main first. */
  all(): WorkerSupervisor[] {
    return [this.main, ...[...this.named.values()].map((e) => e.supervisor)];
  }
}
