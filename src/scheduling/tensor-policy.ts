/**
 * The batch policy of an ONNX model: requests are stacked along axis 0 (padding declared sequence
 * inputs), run as one, and the outputs split back per request (batch-tensors.ts). A group the
 * page stacked is one request here; its callers' rows are sliced back out only to isolate a
 * failure.
 */
import type { Tensor, Tensors } from '../tensor.ts';
import type { BatchOptions } from '../types.ts';
import { DEFAULT_MAX_BATCH, rowsOf, sameGroup, splitOutputs, stackFeeds, type BatchLayout } from './batch-tensors.ts';
import { MicroBatcher, type BatchPolicy } from './batcher.ts';

/**
 * @param layout the model's batch layout, or undefined when it cannot batch (requests then run
 *   one at a time, each as it came)
 * @param run one session run (sets `timing.ms` to the run's own time)
 */
export function tensorPolicy(layout: BatchLayout | undefined, run: (feeds: Tensors, timing: { ms: number }) => Promise<Tensors>): BatchPolicy<Tensors, Tensors> {
  return {
    rows: (feeds) => rowsOf(feeds, layout),
    joins: (head, feeds) => layout !== undefined && sameGroup(feeds, head, layout),
    async run(inputs, timing) {
      if (inputs.length === 1) return [await run(inputs[0]!, timing)];
      const stacked = stackFeeds(inputs, layout!);
      return splitOutputs(await run(stacked, timing), inputs, layout!);
    },
    slice: (feeds, from, rows) => sliceRows(feeds, from, rows, layout),
  };
}

/** Rows `[from, from + rows)` of every batched input (views, no copy); shared inputs as they are. */
export function sliceRows(feeds: Tensors, from: number, rows: number, layout: BatchLayout | undefined): Tensors {
  const out: Tensors = {};
  for (const [name, t] of Object.entries(feeds)) {
    if (layout?.shared.has(name)) { out[name] = t; continue; }
    const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
    const data = (t.data as Float32Array).subarray(from * per, (from + rows) * per) as unknown as Tensor['data'];
    out[name] = { type: t.type, dims: [rows, ...t.dims.slice(1)], data } as Tensor;
  }
  return out;
}

/**
 * The micro-batcher of an ONNX model: its tensor policy with the model's limits (defaults:
 * maxBatch 64, maxWaitMs 2) and the `overlap` window, so a sequential caller never waits.
 *
 * @example const b = tensorBatcher((feeds, t) => session.run(feeds, 'run', t), layout, { maxBatch: 32 });
 */
export function tensorBatcher(run: (feeds: Tensors, timing: { ms: number }) => Promise<Tensors>, layout: BatchLayout | undefined, opts: BatchOptions = {}): MicroBatcher<Tensors, Tensors> {
  return new MicroBatcher(tensorPolicy(layout, run), layout !== undefined, {
    maxBatch: Math.max(1, opts.maxBatch ?? DEFAULT_MAX_BATCH), maxWaitMs: Math.max(0, opts.maxWaitMs ?? 2), window: 'overlap',
  });
}
