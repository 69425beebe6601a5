import { describe, expect, it } from 'vitest';
import { createEmbedTopK, createMlp, getTestModel, isTestModelName, multiIo, testModels, testModelsByName } from '../../tools/models/index.ts';
import { proto } from '../../tools/onnx/proto.ts';
import { sha256Hex } from '../../tools/onnx/sha256.ts';

describe('test model determinism', () => {
  it('same seed gives identical bytes, a different seed different bytes', () => {
    expect(createMlp({ seed: 5 }).bytes()).toEqual(createMlp({ seed: 5 }).bytes());
    expect(createMlp({ seed: 5 }).bytes()).not.toEqual(createMlp({ seed: 6 }).bytes());
    expect(createEmbedTopK({ seed: 5 }).bytes()).toEqual(createEmbedTopK({ seed: 5 }).bytes());
    expect(createEmbedTopK({ seed: 5 }).bytes()).not.toEqual(createEmbedTopK({ seed: 6 }).bytes());
    expect(multiIo.bytes()).toEqual(multiIo.bytes());
  });

  it('same input seed gives identical inputs, a different one different inputs', () => {
    for (const m of testModels) {
      expect(m.inputs(3, 1)).toEqual(m.inputs(3, 1));
      expect(m.inputs(3, 1)).not.toEqual(m.inputs(3, 2));
    }
  });

  it('bytes() hands out a copy, so a caller cannot corrupt the cached model', () => {
    const a = getTestModel('mlp').bytes();
    a.fill(0);
    expect(getTestModel('mlp').bytes()).not.toEqual(a);
  });

  // Pins the published models: a change here means every cached copy (keyed by SHA-256) and
  // every expected output elsewhere changes too. Update deliberately, with the reason in the commit.
  it('default models keep their hashes', () => {
    expect(Object.fromEntries(testModels.map((m) => [m.name, sha256Hex(m.bytes())]))).toEqual({
      mlp: 'd2b7a35db2d12e6e0e84d9ca76bd129a61ccedac4563fed647c7a3da3bb27bfc',
      'embed-topk': '642857c9fb28bd4b4d5493fd321743898b37f94d6b620d860fb4a330e9c68731',
      'multi-io': '3255cc4065ac45fb721adb3510000106098989e962e62737485c3bf3b41c7f5c',
      'big-mlp': 'c9d0b9e04961c71c004340b8e1dea7eeea55e80ece2b56ab59f2cdef15ab0c78',
    });
  });
});

describe('test model registry', () => {
  it('lists each model once under its own name', () => {
    expect(testModels.map((m) => m.name)).toEqual(['mlp', 'embed-topk', 'multi-io', 'big-mlp']);
    for (const m of testModels) expect(isTestModelName(m.name) && testModelsByName[m.name]).toBe(m);
    expect(isTestModelName('mlp')).toBe(true);
    expect(isTestModelName('toString')).toBe(false);
  });

  it('declares in the ONNX graph exactly the specs it advertises', () => {
    for (const m of testModels) {
      const g = proto.ModelProto.decode(m.bytes()).graph;
      const names = (vs: { name?: string | null }[] | null | undefined): string[] => (vs ?? []).map((v) => v.name ?? '');
      expect(names(g?.input)).toEqual(m.inputSpecs.map((s) => s.name));
      expect(names(g?.output)).toEqual(m.outputSpecs.map((s) => s.name));
      const dims = (g?.input ?? []).map((v) => (v.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimParam || Number(d.dimValue)));
      expect(dims).toEqual(m.inputSpecs.map((s) => s.dims));
    }
  });
});
