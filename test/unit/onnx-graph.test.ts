import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { float32ToFloat16Bits } from '../../tools/onnx/float16.ts';
import { GraphBuilder, onnxDataType } from '../../tools/onnx/graph.ts';
import { proto, type Onnx } from '../../tools/onnx/proto.ts';

/** The decoded GraphProto (decode gives class instances, whose arrays are always present). */
function graphOf(bytes: Uint8Array): Onnx.GraphProto {
  const g = proto.ModelProto.decode(bytes).graph;
  if (!(g instanceof proto.GraphProto)) throw new Error('model has no graph');
  return g;
}

const tiny = (): GraphBuilder =>
  new GraphBuilder('tiny')
    .input('x', 'float32', ['batch', 2])
    .initializer('w', 'float32', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6]))
    .node('MatMul', ['x', 'w'], ['y'])
    .output('y', 'float32', ['batch', 3]);

describe('GraphBuilder encoding', () => {
  it('writes irVersion 8, opset 17, dynamic dims and sorted metadata', () => {
    const bytes = tiny().toBytes({ metadata: { z: '1', a: '2' }, docString: 'doc' });
    const m = proto.ModelProto.decode(bytes);
    expect(Number(m.irVersion)).toBe(8);
    expect(m.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    expect(m.producerName).toBe('inpage-tools');
    expect(m.docString).toBe('doc');
    expect(m.metadataProps.map((p) => p.key)).toEqual(['a', 'z']);
    const input = graphOf(bytes).input[0];
    const dims = input?.type?.tensorType?.shape?.dim ?? [];
    expect(dims.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['batch', 2]);
    expect(input?.type?.tensorType?.elemType).toBe(onnxDataType('float32'));
  });

  it('stores initializers as little-endian raw data', () => {
    const g = new GraphBuilder('raw')
      .initializer('i', 'int32', [2], new Int32Array([1, -2]))
      .initializer('l', 'int64', [1], new BigInt64Array([-3n]))
      .initializer('h', 'float16', [], new Uint16Array([0x3c00]))
      .initializer('f', 'float32', [1], new Float32Array([1]))
      .initializer('b', 'bool', [2], new Uint8Array([1, 0]));
    const init = graphOf(g.toBytes()).initializer;
    const raw = init.map((t) => Array.from(t.rawData ?? []));
    expect(raw).toEqual([
      [1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff],
      [0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      [0x00, 0x3c],
      [0x00, 0x00, 0x80, 0x3f],
      [1, 0],
    ]);
    expect(init.map((t) => t.dataType)).toEqual([6, 7, 10, 1, 9]);
    expect(init[2]?.dims).toEqual([]);
  });

  it('infers attribute types and honours explicit wrappers', () => {
    const g = tiny().node(
      'Identity', ['y'], ['y2'],
      { i: 3, f: 0.5, is: [1, -2], fs: [0.5, 1], s: 'hi', wf: { float: 1 }, wfs: { floats: [1, 2] }, wi: { int: 4 }, wis: { ints: [] } },
    );
    const attrs = graphOf(g.toBytes()).node[1]?.attribute ?? [];
    const T = proto.AttributeProto.AttributeType;
    expect(attrs.map((a) => [a.name, a.type])).toEqual([
      ['i', T.INT], ['f', T.FLOAT], ['is', T.INTS], ['fs', T.FLOATS], ['s', T.STRING],
      ['wf', T.FLOAT], ['wfs', T.FLOATS], ['wi', T.INT], ['wis', T.INTS],
    ]);
    expect(attrs.find((a) => a.name === 'is')?.ints?.map(Number)).toEqual([1, -2]);
    expect(new TextDecoder().decode(attrs.find((a) => a.name === 's')?.s ?? undefined)).toBe('hi');
    expect(attrs.find((a) => a.name === 'wf')?.f).toBe(1);
    expect(() => tiny().node('Identity', ['y'], ['z'], { bad: { int: 1.5 } })).toThrow(/integers/);
  });

  it('is deterministic and names nodes by default', () => {
    expect(tiny().toBytes()).toEqual(tiny().toBytes());
    // A plain Uint8Array owning its buffer (not a pooled Node Buffer): safe to transfer.
    const bytes = tiny().toBytes();
    expect(bytes.constructor).toBe(Uint8Array);
    expect(bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length).toBe(true);
    expect(graphOf(tiny().toBytes()).node[0]?.name).toBe('MatMul_0');
  });
});

describe('GraphBuilder validation', () => {
  it('rejects undefined names, duplicates and mismatched initializers', () => {
    expect(() => new GraphBuilder('g').input('x', 'float32', [1]).node('Relu', ['nope'], ['y'])).toThrow(/reads 'nope'/);
    expect(() => new GraphBuilder('g').input('x', 'float32', [1]).input('x', 'int32', [1])).toThrow(/already defined/);
    expect(() => new GraphBuilder('g').input('x', 'float32', [1]).node('Relu', ['x'], ['x'])).toThrow(/already defined/);
    expect(() => new GraphBuilder('g').initializer('w', 'float32', [2], new Float32Array(3))).toThrow(/need 2 elements, got 3/);
    expect(() => new GraphBuilder('g').initializer('w', 'int64', [1], new Int32Array(1))).toThrow(/does not carry int64/);
    expect(() => new GraphBuilder('g').output('y', 'float32', [1]).toBytes()).toThrow(/no input, initializer or node/);
    expect(() => new GraphBuilder('g').output('y', 'float32', [1]).output('y', 'float32', [1])).toThrow(/declared twice/);
  });

  it('accepts an empty name for an omitted optional input', () => {
    expect(() => new GraphBuilder('g').input('x', 'float32', [1]).node('Clip', ['x', '', ''], ['y'])).not.toThrow();
  });
});

describe('GraphBuilder models in onnxruntime-node', () => {
  it('runs a graph with dynamic batch', async () => {
    const session = await ort.InferenceSession.create(tiny().toBytes());
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([1, 0, 0, 1, 1, 1]), [3, 2]) });
    expect(out.y?.dims).toEqual([3, 3]);
    expect(Array.from(out.y?.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6, 5, 7, 9]);
  });

  it('float32ToFloat16Bits agrees with ORT Cast on rounding edge cases', async () => {
    const xs = new Float32Array([
      0, -0, 1, -1, 65504, 65519, 65520, 1e6, -1e6, Infinity, -Infinity,
      2 ** -14, 2 ** -24, 2 ** -25, 2 ** -25 * 1.0001, 3 * 2 ** -25, 5 * 2 ** -25, 1023.5 * 2 ** -24, 1e-45,
      1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 + 2 ** -11 + 2 ** -20, 0.1, 1 / 3, Math.PI, -123.456, 2047.5 * 2 ** -10,
    ]);
    const g = new GraphBuilder('cast')
      .input('x', 'float32', ['n'])
      .node('Cast', ['x'], ['y'], { to: onnxDataType('float16') })
      .output('y', 'float16', ['n']);
    const session = await ort.InferenceSession.create(g.toBytes());
    const out = await session.run({ x: new ort.Tensor('float32', xs, [xs.length]) });
    const got = Array.from(new Uint16Array((out.y?.data as Uint16Array).buffer, (out.y?.data as Uint16Array).byteOffset, xs.length));
    expect(got.map((b) => b.toString(16))).toEqual(Array.from(xs, (x) => float32ToFloat16Bits(x).toString(16)));
  });
});
