/**
 * Which buffers of a set of tensors can be transferred (moved, not copied) with `postMessage`.
 */
import type { Tensors } from './tensor.ts';

/**
 * Buffers to transfer: each tensor's buffer once, and only when the typed array covers the
 * whole buffer — transferring a buffer that other views share would detach data the caller
 * never handed us. SharedArrayBuffers are never transferable.
 */
export function transferablesOf(tensors: Tensors): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const t of Object.values(tensors)) {
    const d = t.data;
    const buf = d.buffer;
    if (buf instanceof ArrayBuffer && d.byteOffset === 0 && d.byteLength === buf.byteLength) seen.add(buf);
  }
  return [...seen];
}
