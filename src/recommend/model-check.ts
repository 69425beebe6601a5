/**
 * A package's declared sizes checked against the model it ships: a manifest that says
 * `dims.items: 1000000` over a 2,400-item graph would load and then fail every call, so the
 * mismatch is reported once, at load, naming the manifest field.
 */
import { InpageError } from '../errors.ts';
import type { TensorInfo } from '../tensor.ts';

/** What the loaded model says about itself (the engine's `Model` has both lists). */
export interface ModelSignature {
  inputs?: readonly TensorInfo[];
  outputs?: readonly TensorInfo[];
}

/** One expectation: tensor `name` exists, and (when `axis` is given) its fixed size there is `size`. */
export interface ShapeExpectation {
  /** Manifest field that named the tensor, e.g. 'inputs.bias'. */
  field: string;
  name: string;
  kind: 'input' | 'output';
  /** Axis whose size the manifest declares, and the field declaring it. */
  axis?: { index: number; size: number; field: string };
}

/**
 * The expectations of a manifest's `inputs`/`outputs` name maps: each named tensor exists, and
 * `sizes[input]` (axis 1, the field declaring it) holds where given.
 */
export function namedTensors(inputs: Readonly<Record<string, string>>, outputs: Readonly<Record<string, string>>, sizes: Readonly<Record<string, { size: number; field: string }>> = {}): ShapeExpectation[] {
  return [
    ...Object.entries(inputs).map(([key, name]): ShapeExpectation => {
      const s = sizes[key];
      return { field: `inputs.${key}`, name, kind: 'input', ...(s === undefined ? {} : { axis: { index: 1, size: s.size, field: s.field } }) };
    }),
    ...Object.entries(outputs).map(([key, name]): ShapeExpectation => ({ field: `outputs.${key}`, name, kind: 'output' })),
  ];
}

/**
 * Throws `MANIFEST_INVALID` naming the first field the model contradicts. A model without a
 * signature (a test double) passes; a symbolic axis (e.g. 'batch') accepts any declared size.
 */
export function checkModelShape(model: ModelSignature, expected: readonly ShapeExpectation[], where: string, modelUrl: string): void {
  for (const e of expected) {
    const list = e.kind === 'input' ? model.inputs : model.outputs;
    if (list === undefined) continue;
    const info = list.find((t) => t.name === e.name);
    if (info === undefined) {
      throw new InpageError('MANIFEST_INVALID', `${where}: field '${e.field}' names ${e.kind} '${e.name}', but ${modelUrl} has ${e.kind}s ${list.map((t) => `'${t.name}'`).join(', ')}. The manifest and the model come from different builds: re-deploy them together.`, { field: e.field });
    }
    const size = e.axis === undefined ? undefined : info.dims[e.axis.index];
    if (e.axis !== undefined && typeof size === 'number' && size !== e.axis.size) {
      throw new InpageError('MANIFEST_INVALID', `${where}: field '${e.axis.field}' is ${e.axis.size}, but ${e.kind} '${e.name}' of ${modelUrl} has ${size} there. The manifest and the model come from different builds: re-deploy them together.`, { field: e.axis.field });
    }
  }
}
