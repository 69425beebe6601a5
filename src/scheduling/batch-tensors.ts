/**
 * Pure tensor plumbing for micro-batching: decide whether a model has a batch axis, group
 * requests that can share a run, stack their rows (padding sequence inputs when the caller
 * declared a pad value), and split the outputs back per request.
 */
import { InpageError } from '../errors.ts';
import type { Tensor, TensorInfo, Tensors } from '../tensor.ts';

/** How one model batches. Built once per model from its metadata and the load options. */
export interface BatchLayout {
  /** Inputs padded along axis 1 to the longest request, with their pad value. */
  pad: ReadonlyMap<string, number | bigint>;
  /** Outputs whose axis 1 follows a padded input's axis 1: trimmed back per request. */
  trim: ReadonlyMap<string, string>;
  /**
   * Inputs without a batch axis (a fixed shape such as a top-k `k` [1]): one value serves the
   * whole run, so only requests whose values are identical share a run.
   */
  shared: ReadonlySet<string>;
  /** An input with a batch axis: its axis 0 is the request's row count. */
  rowsFrom: string;
}

/** Most rows in one run when the model's load options do not say (page and worker must agree). */
export const DEFAULT_MAX_BATCH = 64;

/** Shared inputs up to this many elements go into the group key by value; larger ones never batch. */
export const SHARED_KEY_MAX = 64;

/**
 * The batch layout of a model, or why it cannot batch. A model batches when every output and
 * at least one input has a dynamic first dimension; inputs of fixed shape are shared by the run
 * (requests batch together only when they pass equal values). Inputs named in `pad` must have a
 * dynamic second axis.
 */
export function batchLayout(inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], pad: Record<string, number | bigint> = {}): BatchLayout | string {
  const batched = inputs.filter((t) => typeof t.dims[0] === 'string');
  const notBatch = outputs.filter((t) => typeof t.dims[0] !== 'string');
  if (batched.length === 0 || notBatch.length > 0) {
    const which = [...(batched.length === 0 ? inputs : []), ...notBatch];
    return `no dynamic batch axis on ${which.map((t) => `'${t.name}' [${t.dims.join(', ')}]`).join(', ') || 'the inputs'}`;
  }
  const shared = new Set(inputs.filter((t) => typeof t.dims[0] !== 'string').map((t) => t.name));
  const padMap = new Map<string, number | bigint>();
  const trim = new Map<string, string>();
  for (const [name, value] of Object.entries(pad)) {
    const info = inputs.find((i) => i.name === name);
    if (!info) throw new InpageError('OPTION_INVALID', `batch.pad names '${name}', which is not an input (inputs: ${inputs.map((i) => i.name).join(', ')}).`);
    const axis1 = info.dims[1];
    if (typeof axis1 !== 'string') throw new InpageError('OPTION_INVALID', `batch.pad: input '${name}' [${info.dims.join(', ')}] has no dynamic second axis to pad.`);
    padMap.set(name, info.type === 'int64' ? BigInt(value) : Number(value));
    for (const o of outputs) if (o.dims[1] === axis1) trim.set(o.name, name);
  }
  return { pad: padMap, trim, shared, rowsFrom: batched[0]!.name };
}

/** Why a layout batches, for `model.batching.reason`. */
export function describeLayout(layout: BatchLayout): string {
  const shared = [...layout.shared];
  return shared.length === 0
    ? 'dynamic batch axis on every input and output'
    : `dynamic batch axis on every output; ${shared.map((n) => `'${n}'`).join(', ')} ${shared.length === 1 ? 'has' : 'have'} none, so requests with equal values there share a run`;
}

/**
 * Whether two requests can be stacked into one run: the same inputs, each of the same element
 * type, array class and trailing shape (the padded axis aside), and equal values in every shared
 * input. Compared in place, without building a key: the page asks this once per call of a burst.
 */
export function sameGroup(a: Tensors, b: Tensors, layout: BatchLayout): boolean {
  let names = 0;
  for (const name in a) {
    names++;
    const x = a[name]!;
    const y = b[name];
    if (y === undefined || x.type !== y.type) return false;
    if (layout.shared.has(name)) {
      // Equal values, not just equal shapes: the run sees one copy. Large ones never batch
      // (comparing them on every call would cost more than batching saves).
      if (x.data.length > SHARED_KEY_MAX || !sameDims(x.dims, y.dims, 0) || !sameValues(x.data, y.data)) return false;
      continue;
    }
    // The array class matters: float16 may arrive as Uint16Array bits or as a Float16Array of
    // values, and TypedArray#set would convert one into the other by value.
    if (x.data.constructor !== y.data.constructor) return false;
    if (!sameDims(x.dims, y.dims, layout.pad.has(name) ? 2 : 1)) return false;
  }
  for (const _ in b) names--;
  return names === 0;
}

/** Equal dims from axis `from` on (and equal rank). */
function sameDims(x: readonly number[], y: readonly number[], from: number): boolean {
  if (x.length !== y.length) return false;
  for (let i = from; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Element-wise equal; NaN equals NaN (it is the same request), 0 equals -0. */
function sameValues(x: Tensor['data'], y: Tensor['data']): boolean {
  if (x.length !== y.length) return false;
  const a = x as ArrayLike<number | bigint>;
  const b = y as ArrayLike<number | bigint>;
  for (let i = 0; i < a.length; i++) {
    const u = a[i]!;
    const v = b[i]!;
    if (u !== v && !(u !== u && v !== v)) return false;
  }
  return true;
}

type Ctor = new (n: number) => Tensor['data'];

/** Makes the typed array a stacked input is written into (every element gets overwritten). */
export type StackAlloc = (ctor: Ctor, length: number) => Tensor['data'];

const freshArray: StackAlloc = (ctor, length) => new ctor(length);

/** Stack requests along axis 0 (padding axis 1 where declared), into arrays from `alloc`. */
export function stackFeeds(requests: readonly Tensors[], layout: BatchLayout, alloc: StackAlloc = freshArray): Tensors {
  const first = requests[0];
  if (!first) throw new InpageError('INTERNAL', 'stackFeeds needs at least one request.');
  const out: Tensors = {};
  for (const name of Object.keys(first)) {
    if (layout.shared.has(name)) {
      out[name] = first[name]!; // equal in every request (sameGroup)
      continue;
    }
    const parts = requests.map((r) => r[name]!);
    const rows = parts.reduce((n, t) => n + (t.dims[0] ?? 0), 0);
    const padValue = layout.pad.get(name);
    const seq = padValue === undefined ? undefined : Math.max(...parts.map((t) => t.dims[1] ?? 0));
    const dims = [rows, ...(seq === undefined ? first[name]!.dims.slice(1) : [seq, ...first[name]!.dims.slice(2)])];
    const rowSize = dims.slice(1).reduce((a, b) => a * b, 1);
    const data = alloc(parts[0]!.data.constructor as Ctor, rows * rowSize);
    if (padValue !== undefined) (data as { fill(v: number | bigint): unknown }).fill(padValue as never);
    let row = 0;
    for (const t of parts) {
      const n = t.dims[0] ?? 0;
      const own = t.dims.slice(1).reduce((a, b) => a * b, 1);
      if (own === rowSize) {
        (data as Float32Array).set(t.data as Float32Array, row * rowSize);
      } else {
        // Padded axis 1: copy each row's prefix, the tail keeps the pad value.
        for (let r = 0; r < n; r++) (data as Float32Array).set((t.data as Float32Array).subarray(r * own, (r + 1) * own), (row + r) * rowSize);
      }
      row += n;
    }
    out[name] = { type: first[name]!.type, dims, data } as Tensor;
  }
  return out;
}

/** Split stacked outputs back into one `Tensors` per request (copies: each caller owns its buffers). */
export function splitOutputs(outputs: Tensors, requests: readonly Tensors[], layout: BatchLayout): Tensors[] {
  const result: Tensors[] = requests.map(() => ({}));
  for (const [name, t] of Object.entries(outputs)) {
    const rowSize = t.dims.slice(1).reduce((a, b) => a * b, 1);
    const padInput = layout.trim.get(name);
    let row = 0;
    requests.forEach((req, i) => {
      const n = rowsOf(req, layout);
      const slice = t.data.slice(row * rowSize, (row + n) * rowSize) as Tensor['data'];
      let tensor: Tensor = { type: t.type, dims: [n, ...t.dims.slice(1)], data: slice } as Tensor;
      const len = padInput === undefined ? undefined : req[padInput]?.dims[1];
      if (len !== undefined && len !== t.dims[1]) tensor = trimAxis1(tensor, len);
      result[i]![name] = tensor;
      row += n;
    });
  }
  return result;
}

function trimAxis1(t: Tensor, len: number): Tensor {
  const [n = 0, seq = 0, ...rest] = t.dims;
  const inner = rest.reduce((a, b) => a * b, 1);
  const data = new (t.data.constructor as Ctor)(n * len * inner);
  for (let r = 0; r < n; r++) {
    (data as Float32Array).set((t.data as Float32Array).subarray(r * seq * inner, (r * seq + len) * inner), r * len * inner);
  }
  return { type: t.type, dims: [n, len, ...rest], data } as Tensor;
}

/** Rows (axis-0 size of a batched input) of a request. */
export function rowsOf(feeds: Tensors, layout?: BatchLayout): number {
  const t = layout === undefined ? Object.values(feeds)[0] : feeds[layout.rowsFrom];
  return t?.dims[0] ?? 0;
}
