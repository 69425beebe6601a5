/**
 * `multi-io`: seven inputs and six outputs covering every wire dtype, to test how tensors cross
 * the page/worker boundary rather than any arithmetic. All tensors are [batch, 4] except `count`.
 *
 * sum   float32 = Where(m, a + f(b) + f(c) + f(h) + f(u) + f(s), a)   f = Cast to float32
 * count int32   = ReduceSum(Cast(m, int32), axes=[1])                   number of true per row
 * flags bool    = (a > 0) And m
 * half  float16 = Cast(a * 2, float16)
 * bytes uint8   = Where(m, u, 255)
 * wide  int64   = c + Cast(b, int64)
 *
 * Only Cast, Add, Mul, Where, Greater, And and ReduceSum: each runs on ORT's WebGPU EP or falls
 * back to CPU there. ReduceSum takes `axes` as an input tensor since opset 13.
 */
import { float16BitsToFloat32, float32ToFloat16Bits } from '../onnx/float16.ts';
import { GraphBuilder, onnxDataType } from '../onnx/graph.ts';
import { Prng } from '../onnx/prng.ts';
import { lazy, takeInput } from './ref.ts';
import type { TensorSpec, TestModel, TestTensors } from './types.ts';

const W = 4;
const row = (): (string | number)[] => ['batch', W];

const inputSpecs: TensorSpec[] = [
  { name: 'a', type: 'float32', dims: row() },
  { name: 'b', type: 'int32', dims: row() },
  { name: 'c', type: 'int64', dims: row() },
  { name: 'm', type: 'bool', dims: row() },
  { name: 'h', type: 'float16', dims: row() },
  { name: 'u', type: 'uint8', dims: row() },
  { name: 's', type: 'int8', dims: row() },
];
const outputSpecs: TensorSpec[] = [
  { name: 'sum', type: 'float32', dims: row() },
  { name: 'count', type: 'int32', dims: ['batch'] },
  { name: 'flags', type: 'bool', dims: row() },
  { name: 'half', type: 'float16', dims: row() },
  { name: 'bytes', type: 'uint8', dims: row() },
  { name: 'wide', type: 'int64', dims: row() },
];

const toF32 = { to: onnxDataType('float32') };

const bytes = lazy((): Uint8Array => {
  const g = new GraphBuilder('multi-io');
  for (const s of inputSpecs) g.input(s.name, s.type, s.dims);
  g.initializer('zero', 'float32', [], new Float32Array([0]))
    .initializer('two', 'float32', [], new Float32Array([2]))
    .initializer('u8_fill', 'uint8', [], new Uint8Array([255]))
    .initializer('axis1', 'int64', [1], new BigInt64Array([1n]));
  for (const x of ['b', 'c', 'h', 'u', 's']) g.node('Cast', [x], [`${x}_f`], toF32);
  // Adds in the same left-to-right order as the reference, so float32 rounding matches exactly.
  g.node('Add', ['a', 'b_f'], ['t1'])
    .node('Add', ['t1', 'c_f'], ['t2'])
    .node('Add', ['t2', 'h_f'], ['t3'])
    .node('Add', ['t3', 'u_f'], ['t4'])
    .node('Add', ['t4', 's_f'], ['total'])
    .node('Where', ['m', 'total', 'a'], ['sum'])
    .node('Cast', ['m'], ['m_i32'], { to: onnxDataType('int32') })
    .node('ReduceSum', ['m_i32', 'axis1'], ['count'], { keepdims: 0 })
    .node('Greater', ['a', 'zero'], ['a_pos'])
    .node('And', ['a_pos', 'm'], ['flags'])
    .node('Mul', ['a', 'two'], ['a2'])
    .node('Cast', ['a2'], ['half'], { to: onnxDataType('float16') })
    .node('Where', ['m', 'u', 'u8_fill'], ['bytes'])
    .node('Cast', ['b'], ['b_i64'], { to: onnxDataType('int64') })
    .node('Add', ['c', 'b_i64'], ['wide']);
  for (const s of outputSpecs) g.output(s.name, s.type, s.dims);
  return g.toBytes({ docString: 'multi-io: every wire dtype in and out', metadata: { 'inpage.test-model': 'multi-io' } });
});

function inputs(batch: number, seed: number): TestTensors {
  const rng = new Prng(seed);
  const n = batch * W;
  const fill = <T extends { length: number; [i: number]: number | bigint }>(arr: T, f: () => T[number]): T => {
    for (let i = 0; i < arr.length; i++) arr[i] = f();
    return arr;
  };
  const dims = [batch, W];
  return {
    a: { type: 'float32', dims, data: rng.normals(n, 3) },
    b: { type: 'int32', dims: [...dims], data: fill(new Int32Array(n), () => rng.int(201) - 100) },
    c: { type: 'int64', dims: [...dims], data: fill(new BigInt64Array(n), () => BigInt(rng.int(2001) - 1000)) },
    m: { type: 'bool', dims: [...dims], data: fill(new Uint8Array(n), () => rng.int(2)) },
    h: { type: 'float16', dims: [...dims], data: fill(new Uint16Array(n), () => float32ToFloat16Bits(rng.normal() * 4)) },
    u: { type: 'uint8', dims: [...dims], data: fill(new Uint8Array(n), () => rng.int(256)) },
    s: { type: 'int8', dims: [...dims], data: fill(new Int8Array(n), () => rng.int(256) - 128) },
  };
}

function reference(feeds: TestTensors): TestTensors {
  const a = takeInput(feeds, 'a', 'float32', 2);
  const [rows = 0, cols = 0] = a.dims;
  if (cols !== W) throw new Error(`reference: input 'a' must be [batch, ${W}], got [${a.dims.join(', ')}]`);
  const b = takeInput(feeds, 'b', 'int32', 2).data;
  const c = takeInput(feeds, 'c', 'int64', 2).data;
  const m = takeInput(feeds, 'm', 'bool', 2).data;
  const h = takeInput(feeds, 'h', 'float16', 2).data;
  const u = takeInput(feeds, 'u', 'uint8', 2).data;
  const s = takeInput(feeds, 's', 'int8', 2).data;
  for (const [name, t] of Object.entries(feeds)) {
    if (t.dims.length !== 2 || t.dims[0] !== rows || t.dims[1] !== W) throw new Error(`reference: input '${name}' must be [${rows}, ${W}] like 'a', got [${t.dims.join(', ')}]`);
  }
  const n = rows * W;
  const sum = new Float32Array(n);
  const count = new Int32Array(rows);
  const flags = new Uint8Array(n);
  const half = new Uint16Array(n);
  const bytesOut = new Uint8Array(n);
  const wide = new BigInt64Array(n);
  const f = Math.fround;
  for (let i = 0; i < n; i++) {
    const ai = a.data[i] ?? 0;
    const mi = (m[i] ?? 0) !== 0;
    // Each Add rounds to float32, as the graph does.
    const total = f(f(f(f(f(ai + (b[i] ?? 0)) + Number(c[i] ?? 0n)) + float16BitsToFloat32(h[i] ?? 0)) + (u[i] ?? 0)) + (s[i] ?? 0));
    sum[i] = mi ? total : ai;
    if (mi) count[Math.floor(i / W)] = (count[Math.floor(i / W)] ?? 0) + 1;
    flags[i] = ai > 0 && mi ? 1 : 0;
    half[i] = float32ToFloat16Bits(f(ai * 2));
    bytesOut[i] = mi ? (u[i] ?? 0) : 255;
    wide[i] = (c[i] ?? 0n) + BigInt(b[i] ?? 0);
  }
  const d = (): number[] => [rows, W];
  return {
    sum: { type: 'float32', dims: d(), data: sum },
    count: { type: 'int32', dims: [rows], data: count },
    flags: { type: 'bool', dims: d(), data: flags },
    half: { type: 'float16', dims: d(), data: half },
    bytes: { type: 'uint8', dims: d(), data: bytesOut },
    wide: { type: 'int64', dims: d(), data: wide },
  };
}

/** The `multi-io` model; it has no weights to seed, so there is no factory. */
export const multiIo: TestModel = {
  name: 'multi-io',
  description: 'seven inputs, six outputs: float32, float16, int32, int64, uint8, int8 and bool across the wire',
  inputSpecs,
  outputSpecs,
  bytes: () => new Uint8Array(bytes()), // a copy: callers may transfer or mutate it
  inputs,
  reference,
};
