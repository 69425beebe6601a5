/**
 * A small builder that writes ONNX ModelProto bytes from Node, without Python.
 *
 * @example
 * const bytes = new GraphBuilder('tiny')
 *   .input('x', 'float32', ['batch', 4])
 *   .initializer('w', 'float32', [4, 2], new Float32Array(8).fill(0.5))
 *   .node('MatMul', ['x', 'w'], ['y'])
 *   .output('y', 'float32', ['batch', 2])
 *   .toBytes(); // opset 17, irVersion 8
 */
import { encodeAttr, type AttrValue } from './attrs.ts';
import { elementCount, isDataOf, onnxDataType, toRawData, type DType, type TensorData } from './dtype.ts';
import { proto, type Onnx } from './proto.ts';

export type { AttrValue } from './attrs.ts';
export type { DType, DTypeDataMap, TensorData } from './dtype.ts';
export { onnxDataType } from './dtype.ts';

/** One dimension: a fixed size, or a string naming a dynamic axis (ONNX `dim_param`), e.g. `'batch'`. */
export type Dim = number | string;

/** Options of {@link GraphBuilder.toBytes}. */
export interface ToBytesOptions {
  /** Default-domain opset version. Default 17 (ReduceMean still takes `axes` as an attribute). */
  opset?: number;
  /** ModelProto.producer_name. Default `'inpage-tools'`. */
  producer?: string;
  /** ModelProto.doc_string. Default: none. */
  docString?: string;
  /** ModelProto.metadata_props, written sorted by key so bytes do not depend on insertion order. */
  metadata?: Record<string, string>;
}

/** Default opset: 17 is what ORT 1.30 web and node both run on every EP used here. */
export const DEFAULT_OPSET = 17;
/** IR version 8 is the one that pairs with opset 17 (ONNX 1.12). */
export const IR_VERSION = 8;

interface ValueInfo {
  name: string;
  dtype: DType;
  dims: Dim[];
}

function valueInfoProto(v: ValueInfo): Onnx.IValueInfoProto {
  const dim = v.dims.map((d): Onnx.TensorShapeProto.IDimension => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: v.name, type: { tensorType: { elemType: onnxDataType(v.dtype), shape: { dim } } } };
}

/**
 * Collects a graph's inputs, outputs, initializers and nodes, then encodes a ModelProto.
 * Nodes must be added in topological order (ONNX requires it); `toBytes` checks that every name a
 * node reads is defined earlier, so a typo fails here rather than inside onnxruntime.
 */
export class GraphBuilder {
  readonly #name: string;
  readonly #inputs: ValueInfo[] = [];
  readonly #outputs: ValueInfo[] = [];
  readonly #initializers: Onnx.ITensorProto[] = [];
  readonly #nodes: Onnx.INodeProto[] = [];
  /** Every name defined so far (graph inputs, initializers, node outputs). */
  readonly #defined = new Set<string>();

  /** @param name GraphProto.name, e.g. `'mlp'`. */
  constructor(name: string) {
    this.#name = name;
  }

  #define(name: string, what: string): void {
    if (name === '') throw new Error(`${what}: empty name`);
    if (this.#defined.has(name)) throw new Error(`${what} '${name}': name already defined in graph '${this.#name}'`);
    this.#defined.add(name);
  }

  /** Declares a graph input; string dims are dynamic axes, e.g. `input('x', 'float32', ['batch', 64])`. */
  input(name: string, dtype: DType, dims: Dim[]): this {
    this.#define(name, 'input');
    this.#inputs.push({ name, dtype, dims: [...dims] });
    return this;
  }

  /** Declares a graph output; it must be produced by some node (or be an input/initializer). */
  output(name: string, dtype: DType, dims: Dim[]): this {
    if (this.#outputs.some((o) => o.name === name)) throw new Error(`output '${name}': declared twice`);
    this.#outputs.push({ name, dtype, dims: [...dims] });
    return this;
  }

  /**
   * Adds a constant tensor, stored as little-endian raw_data. `data` must be the typed array of
   * `dtype` (float16 → Uint16Array of half bits, bool → Uint8Array of 0/1) with
   * `product(dims)` elements; `dims: []` is a scalar.
   */
  initializer(name: string, dtype: DType, dims: number[], data: TensorData): this {
    this.#define(name, 'initializer');
    if (!isDataOf(dtype, data)) {
      throw new Error(`initializer '${name}': ${data.constructor.name} does not carry ${dtype}; see DTypeDataMap`);
    }
    if (data.length !== elementCount(dims)) {
      throw new Error(`initializer '${name}': dims [${dims.join(', ')}] need ${elementCount(dims)} elements, got ${data.length}`);
    }
    this.#initializers.push({ name, dataType: onnxDataType(dtype), dims: [...dims], rawData: toRawData(dtype, data) });
    return this;
  }

  /**
   * Appends a node (default ONNX domain). An input name `''` marks an omitted optional input.
   * `name` defaults to `<opType>_<index>`.
   *
   * @example g.node('Softmax', ['logits'], ['probs'], { axis: -1 })
   */
  node(opType: string, inputs: string[], outputs: string[], attrs?: Record<string, AttrValue>, name?: string): this {
    const nodeName = name ?? `${opType}_${this.#nodes.length}`;
    for (const i of inputs) {
      if (i !== '' && !this.#defined.has(i)) {
        throw new Error(`node '${nodeName}' (${opType}) reads '${i}', which is not defined yet; add inputs, initializers and producing nodes first`);
      }
    }
    for (const o of outputs) this.#define(o, `node '${nodeName}' output`);
    const attribute = Object.entries(attrs ?? {}).map(([k, v]) => encodeAttr(k, v));
    this.#nodes.push({ opType, name: nodeName, input: [...inputs], output: [...outputs], attribute });
    return this;
  }

  /** The ModelProto as a plain object (what `toBytes` encodes); useful for inspection in tests. */
  toProto(opts: ToBytesOptions = {}): Onnx.IModelProto {
    for (const o of this.#outputs) {
      if (!this.#defined.has(o.name)) throw new Error(`output '${o.name}': no input, initializer or node defines it`);
    }
    const metadataProps = Object.keys(opts.metadata ?? {})
      .sort()
      .map((key) => ({ key, value: opts.metadata?.[key] ?? '' }));
    const model: Onnx.IModelProto = {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: opts.opset ?? DEFAULT_OPSET }],
      producerName: opts.producer ?? 'inpage-tools',
      graph: {
        name: this.#name,
        node: this.#nodes,
        initializer: this.#initializers,
        input: this.#inputs.map(valueInfoProto),
        output: this.#outputs.map(valueInfoProto),
      },
      metadataProps,
    };
    if (opts.docString !== undefined) model.docString = opts.docString;
    return model;
  }

  /**
   * Encodes the model. Deterministic: the same calls in the same order give identical bytes.
   * Returns a plain Uint8Array that owns its whole ArrayBuffer.
   */
  toBytes(opts: ToBytesOptions = {}): Uint8Array {
    // Under Node protobufjs returns a Buffer, possibly a view into a shared pool: its `.buffer`
    // holds other bytes, its `slice()` does not copy, and vitest's toEqual treats it as a different
    // class. A copy makes `bytes.buffer` safe to transfer or hand to onnxruntime.
    return new Uint8Array(proto.ModelProto.encode(this.toProto(opts)).finish());
  }
}
