/**
 * Node attributes: the small value language of {@link AttrValue} and its encoding as ONNX
 * AttributeProto.
 */
import { proto, type Onnx } from './proto.ts';

/**
 * An attribute value. Plain numbers are inferred: an integer becomes INT, anything else FLOAT;
 * an array of integers becomes INTS (an empty array too), any other number array FLOATS; a string
 * becomes STRING (UTF-8). Wrap to force a type, e.g. `{ float: 1 }` for Softmax-style float
 * attributes whose value happens to be whole.
 *
 * @example
 * { axis: -1 }            // INT
 * { alpha: 0.2 }          // FLOAT
 * { perm: [1, 0] }        // INTS
 * { beta: { float: 1 } }  // FLOAT, although 1 is an integer
 */
export type AttrValue =
  | number
  | number[]
  | string
  | { float: number }
  | { floats: number[] }
  | { ints: number[] }
  | { int: number };

const T = proto.AttributeProto.AttributeType;

function assertInts(name: string, values: readonly number[]): void {
  for (const v of values) {
    if (!Number.isSafeInteger(v)) {
      throw new Error(`attribute '${name}': expected integers for INT/INTS, got ${v}; use { float } / { floats } for real values`);
    }
  }
}

/** Encodes one attribute as an AttributeProto object (the `type` field is always set: ORT requires it). */
export function encodeAttr(name: string, value: AttrValue): Onnx.IAttributeProto {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? encodeAttr(name, { int: value }) : encodeAttr(name, { float: value });
  }
  if (typeof value === 'string') {
    return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  }
  if (Array.isArray(value)) {
    return value.every((v) => Number.isInteger(v)) ? encodeAttr(name, { ints: value }) : encodeAttr(name, { floats: value });
  }
  if ('int' in value) {
    assertInts(name, [value.int]);
    return { name, type: T.INT, i: value.int };
  }
  if ('ints' in value) {
    assertInts(name, value.ints);
    return { name, type: T.INTS, ints: [...value.ints] };
  }
  if ('float' in value) return { name, type: T.FLOAT, f: value.float };
  return { name, type: T.FLOATS, floats: [...value.floats] };
}
