/**
 * Checks feeds against what the model declares, before anything runs: a wrong name, dtype, rank,
 * static dim or data length becomes an `INPUT_INVALID` that says what was expected and what
 * arrived. ORT's own messages for these ("input 'x' is missing in 'feeds'", or a WASM abort for a
 * bad length) are terse or fatal, so we never let bad feeds reach it.
 */
import { InpageError } from './errors.ts';
import type { Tensor, TensorInfo, TensorType, Tensors } from './tensor.ts';

const ARRAY_OF: Record<TensorType, { name: string; ok: (d: unknown) => boolean }> = {
  float32: { name: 'Float32Array', ok: (d) => d instanceof Float32Array },
  // float16 travels as raw bits; Float16Array (where the browser has it) is accepted too.
  float16: { name: 'Uint16Array (float16 bits) or Float16Array', ok: (d) => d instanceof Uint16Array || isFloat16Array(d) },
  int32: { name: 'Int32Array', ok: (d) => d instanceof Int32Array },
  int64: { name: 'BigInt64Array', ok: (d) => d instanceof BigInt64Array },
  uint8: { name: 'Uint8Array', ok: (d) => d instanceof Uint8Array },
  int8: { name: 'Int8Array', ok: (d) => d instanceof Int8Array },
  bool: { name: 'Uint8Array (0/1)', ok: (d) => d instanceof Uint8Array },
};

function isFloat16Array(d: unknown): boolean {
  const ctor = (globalThis as { Float16Array?: new () => unknown }).Float16Array;
  return ctor !== undefined && d instanceof ctor;
}

/** float16 bits with an all-ones exponent are ±Infinity or NaN. */
function allFinite(t: Tensor): boolean {
  if (t.type === 'float32') return (t.data as Float32Array).every(Number.isFinite);
  if (t.type === 'float16') {
    if (!(t.data instanceof Uint16Array)) return Array.from(t.data as unknown as ArrayLike<number>).every(Number.isFinite);
    return t.data.every((bits) => (bits & 0x7c00) !== 0x7c00);
  }
  return true;
}

/** JSON for messages that never throws (BigInt, cycles). */
function show(value: unknown): string {
  try {
    return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Name of the constructor of a value, for messages. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}

/** Options for `validateFeeds`. */
export interface ValidateOptions {
  /** Largest total number of input elements accepted in one call. Default 2^26 (64 Mi). */
  maxElements?: number;
  /** Reject NaN / ±Infinity in float inputs. Default false. */
  rejectNonFinite?: boolean;
}

/** Validate one tensor's own consistency (type, array class, dims, length). */
export function validateTensor(name: string, t: unknown): asserts t is Tensor {
  if (typeof t !== 'object' || t === null) {
    throw new InpageError('INPUT_INVALID', `Input '${name}': expected a tensor { type, dims, data }, got ${describe(t)}.`, { input: name });
  }
  const { type, dims, data } = t as Partial<Tensor>;
  // hasOwn, not `in`: 'constructor' or '__proto__' as a type must not reach the prototype.
  if (typeof type !== 'string' || !Object.hasOwn(ARRAY_OF, type)) {
    throw new InpageError('INPUT_INVALID', `Input '${name}': unknown type ${show(type)}; expected one of ${Object.keys(ARRAY_OF).join(', ')}.`, { input: name });
  }
  if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new InpageError('INPUT_INVALID', `Input '${name}': dims must be an array of non-negative integers, got ${show(dims)}.`, { input: name });
  }
  const spec = ARRAY_OF[type as TensorType];
  if (!spec.ok(data)) {
    throw new InpageError('INPUT_INVALID', `Input '${name}': type '${type}' needs data as ${spec.name}, got ${describe(data)}. Build it with new ${spec.name.split(' ')[0]}(...).`, { input: name, expected: spec.name, got: describe(data) });
  }
  const expected = dims.reduce((a, b) => a * b, 1);
  const length = (data as { length: number }).length;
  if (length !== expected) {
    throw new InpageError('INPUT_INVALID', `Input '${name}': dims [${dims.join(', ')}] need ${expected} elements, data has ${length}.`, { input: name, expected, got: length });
  }
}

/**
 * Validate feeds against the model's inputs. Throws `INPUT_INVALID` on the first problem.
 *
 * @example
 * validateFeeds({ x: { type: 'float32', dims: [1, 64], data } }, model.inputs);
 */
export function validateFeeds(feeds: unknown, inputs: readonly TensorInfo[], opts: ValidateOptions = {}): asserts feeds is Tensors {
  if (typeof feeds !== 'object' || feeds === null || Array.isArray(feeds)) {
    throw new InpageError('INPUT_INVALID', `Expected feeds as an object of named tensors (${inputs.map((i) => i.name).join(', ')}), got ${describe(feeds)}.`);
  }
  const given = Object.keys(feeds);
  const known = new Set(inputs.map((i) => i.name));
  const unknown = given.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new InpageError('INPUT_INVALID', `Unknown input ${unknown.map((n) => `'${n}'`).join(', ')}; the model's inputs are ${inputs.map((i) => `'${i.name}'`).join(', ')}.`, { unknown });
  }
  let total = 0;
  const maxElements = opts.maxElements ?? 2 ** 26;
  for (const info of inputs) {
    const t = (feeds as Record<string, unknown>)[info.name];
    if (t === undefined) {
      throw new InpageError('INPUT_INVALID', `Missing input '${info.name}' (${info.type} [${info.dims.join(', ')}]).`, { input: info.name });
    }
    validateTensor(info.name, t);
    if (info.type !== 'unknown' && t.type !== info.type) {
      throw new InpageError('INPUT_INVALID', `Input '${info.name}': expected type ${info.type}, got ${t.type}.`, { input: info.name, expected: info.type, got: t.type });
    }
    if (info.dims.length > 0 && t.dims.length !== info.dims.length) {
      throw new InpageError('INPUT_INVALID', `Input '${info.name}': expected rank ${info.dims.length} [${info.dims.join(', ')}], got rank ${t.dims.length} [${t.dims.join(', ')}].`, { input: info.name });
    }
    info.dims.forEach((d, i) => {
      if (typeof d === 'number' && d >= 0 && t.dims[i] !== d) {
        throw new InpageError('INPUT_INVALID', `Input '${info.name}': dim ${i} must be ${d} ([${info.dims.join(', ')}]), got ${t.dims[i]} ([${t.dims.join(', ')}]).`, { input: info.name, axis: i, expected: d, got: t.dims[i] ?? -1 });
      }
    });
    total += t.data.length;
    if (opts.rejectNonFinite && !allFinite(t)) {
      throw new InpageError('INPUT_INVALID', `Input '${info.name}' contains NaN or Infinity; this model is configured to reject non-finite values.`, { input: info.name });
    }
  }
  if (total > maxElements) {
    throw new InpageError('INPUT_INVALID', `Inputs hold ${total} elements, over the cap of ${maxElements}. Split the call or raise the engine's maxInputElements option.`, { expected: maxElements, got: total });
  }
}
