/**
 * A model served by the caller's remote fallback: used only when no local backend can run it.
 * Same interface as a local model, so callers need no branch; counted as remote in stats.
 */
import { disposedError } from '../errors.ts';
import type { TensorInfo, Tensors } from '../tensor.ts';
import type { ModelSource, RemoteFallback, RunOptions } from '../types.ts';
import type { Model } from './model.ts';

export class RemoteModel implements Model {
  readonly inputs: TensorInfo[] = [];
  readonly outputs: TensorInfo[] = [];
  readonly backend = 'remote' as const;
  readonly source = 'remote' as const;
  readonly sha256: string;
  readonly bytes = 0;
  readonly batching = { enabled: false, reason: 'runs remotely' };
  readonly route: { variant: string; reason: string };
  private disposed = false;

  constructor(private readonly spec: ModelSource, private readonly fallback: RemoteFallback, reason: string, private readonly onRun: (ms: number, rows: number) => void) {
    this.sha256 = spec.sha256 ?? '';
    this.route = { variant: 'remote', reason };
  }

  async run(feeds: Tensors, opts: RunOptions = {}): Promise<Tensors> {
    if (this.disposed) throw disposedError('This model');
    const t0 = performance.now();
    const out = await this.fallback(opts.signal ? { source: this.spec, feeds, signal: opts.signal } : { source: this.spec, feeds });
    this.onRun(performance.now() - t0, Object.values(feeds)[0]?.dims[0] ?? 1);
    return out;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}
