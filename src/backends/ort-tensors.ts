/**
 * Conversion between our plain tensors and ORT tensors, inside the worker only.
 */
import type * as Ort from 'onnxruntime-web';
import type { Tensor, TensorInfo, TensorType, Tensors } from '../tensor.ts';
import type { OrtModule } from './ort-runtime.ts';

const KNOWN: ReadonlySet<string> = new Set<TensorType>(['float32', 'float16', 'int32', 'int64', 'uint8', 'int8', 'bool']);

/** Read input/output metadata from a session; dynamic dims come back as their names. */
export function readMetadata(list: readonly Ort.InferenceSession.ValueMetadata[]): TensorInfo[] {
  return list.map((m) => {
    if (!m.isTensor) return { name: m.name, type: 'unknown', dims: [] };
    const type = KNOWN.has(m.type) ? (m.type as TensorType) : 'unknown';
    return { name: m.name, type, dims: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : String(d))) };
  });
}

/** Wrap plain feeds as ORT tensors (no copy: ORT reads the same typed arrays). */
export function toOrtFeeds(ort: OrtModule, feeds: Tensors): Record<string, Ort.Tensor> {
  const out: Record<string, Ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    out[name] = new ort.Tensor(t.type, t.data as Ort.Tensor.DataType, [...t.dims]);
  }
  return out;
}

/**
 * Copy ORT outputs into plain tensors whose buffers we own outright (so they can be transferred
 * to the page), then release the ORT tensors (GPU buffers included).
 */
export async function fromOrtOutputs(outputs: Record<string, Ort.Tensor>): Promise<Tensors> {
  const result: Tensors = {};
  for (const [name, t] of Object.entries(outputs)) {
    // Outputs left on the GPU need an explicit download; CPU ones are plain typed arrays.
    const data = t.location === 'cpu' || t.location === undefined ? t.data : await t.getData(true);
    result[name] = { type: t.type as TensorType, dims: [...t.dims], data: ownBuffer(asWireData(t.type, data)) } as Tensor;
    if (typeof t.dispose === 'function' && t.location !== 'cpu') t.dispose();
  }
  return result;
}

/** float16 crosses the wire as raw bits: ORT hands out Float16Array where the browser has one. */
function asWireData(type: string, data: unknown): unknown {
  if (type !== 'float16' || data instanceof Uint16Array) return data;
  const a = data as { buffer: ArrayBuffer; byteOffset: number; length: number };
  return new Uint16Array(a.buffer, a.byteOffset, a.length);
}

type Typed = Float32Array | Uint16Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;

/** A typed array whose buffer is exactly its own bytes (views into wasm memory get copied). */
function ownBuffer(data: unknown): Tensor['data'] {
  const a = data as Typed;
  if (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer) return a as Tensor['data'];
  return a.slice() as Tensor['data'];
}
