/**
 * Variant routing on fake capability tables (no device probe): which variants a device can run,
 * in the caller's order, why the others were skipped, and what the decision says.
 */
import { describe, expect, it } from 'vitest';
import { describeRoute, routeVariants, variantBlocker, type ModelVariant, type RouteFacts } from '../../src/routing/variants.ts';
import { thrown } from './helpers/catch.ts';

const NO_GPU: RouteFacts = { webgpu: false, features: [], deviceMemoryGB: 8 };
const GPU_NO_F16: RouteFacts = { webgpu: true, features: ['timestamp-query', 'depth-clip-control'], deviceMemoryGB: 8 };
const GPU_F16: RouteFacts = { webgpu: true, features: ['timestamp-query', 'shader-f16'], deviceMemoryGB: 8 };

const FP16: ModelVariant = { label: 'fp16-gpu', url: '/m/fp16.onnx', requires: { webgpu: true, shaderF16: true } };
const F16_ONLY: ModelVariant = { label: 'f16-only', url: '/m/f16.onnx', requires: { shaderF16: true } };
const FP32_GPU: ModelVariant = { label: 'fp32-gpu', url: '/m/fp32.onnx', requires: { webgpu: true } };
const BIG: ModelVariant = { label: 'big-cpu', url: '/m/big.onnx', requires: { minMemoryGB: 4 } };
const SMALL: ModelVariant = { label: 'small-cpu', bytes: new Uint8Array([8, 1]) };

const ALL = [FP16, FP32_GPU, BIG, SMALL];
const labels = (vs: readonly ModelVariant[]): string[] => vs.map((v) => v.label);

describe('variantBlocker', () => {
  it('lets a variant without requirements run anywhere', () => {
    for (const f of [NO_GPU, GPU_NO_F16, GPU_F16, { ...NO_GPU, deviceMemoryGB: undefined }]) expect(variantBlocker(SMALL, f)).toBeNull();
  });

  it('blocks WebGPU variants on a device without WebGPU, saying so', () => {
    expect(variantBlocker(FP32_GPU, NO_GPU)).toMatch(/WebGPU/);
    expect(variantBlocker(FP16, NO_GPU)).toMatch(/WebGPU/);
    // shader-f16 alone implies WebGPU.
    expect(variantBlocker(F16_ONLY, NO_GPU)).toMatch(/WebGPU/);
  });

  it('blocks shader-f16 variants on an adapter without the feature, naming it', () => {
    expect(variantBlocker(FP16, GPU_NO_F16)).toContain('shader-f16');
    expect(variantBlocker(F16_ONLY, GPU_NO_F16)).toContain('shader-f16');
    expect(variantBlocker(FP32_GPU, GPU_NO_F16)).toBeNull();
  });

  it('lets shader-f16 variants run on an adapter with the feature', () => {
    expect(variantBlocker(FP16, GPU_F16)).toBeNull();
    expect(variantBlocker(F16_ONLY, GPU_F16)).toBeNull();
    expect(variantBlocker(FP32_GPU, GPU_F16)).toBeNull();
  });

  it('blocks on device memory below the minimum, with both numbers in the reason', () => {
    const why = variantBlocker(BIG, { ...NO_GPU, deviceMemoryGB: 2 });
    expect(why).toContain('4');
    expect(why).toContain('2');
  });

  it('allows device memory at or above the minimum, and unknown memory', () => {
    expect(variantBlocker(BIG, { ...NO_GPU, deviceMemoryGB: 4 })).toBeNull();
    expect(variantBlocker(BIG, { ...NO_GPU, deviceMemoryGB: 16 })).toBeNull();
    expect(variantBlocker(BIG, { ...NO_GPU, deviceMemoryGB: undefined })).toBeNull();
  });

  it('explicit false requirements do not block', () => {
    expect(variantBlocker({ label: 'x', url: '/x', requires: { webgpu: false, shaderF16: false } }, NO_GPU)).toBeNull();
  });
});

describe('routeVariants', () => {
  it('no WebGPU: GPU variants skipped with reasons, CPU ones eligible in order', () => {
    const r = routeVariants(ALL, NO_GPU);
    expect(labels(r.eligible)).toEqual(['big-cpu', 'small-cpu']);
    expect(r.skipped.map((s) => s.label)).toEqual(['fp16-gpu', 'fp32-gpu']);
    for (const s of r.skipped) expect(s.reason).toMatch(/WebGPU/);
  });

  it('WebGPU without shader-f16: only the f16 variant is skipped', () => {
    const r = routeVariants(ALL, GPU_NO_F16);
    expect(labels(r.eligible)).toEqual(['fp32-gpu', 'big-cpu', 'small-cpu']);
    expect(r.skipped).toEqual([{ label: 'fp16-gpu', reason: expect.stringContaining('shader-f16') as string }]);
  });

  it('WebGPU with shader-f16: everything is eligible, in the caller\'s order', () => {
    const r = routeVariants(ALL, GPU_F16);
    expect(labels(r.eligible)).toEqual(['fp16-gpu', 'fp32-gpu', 'big-cpu', 'small-cpu']);
    expect(r.skipped).toEqual([]);
  });

  it('keeps the caller\'s order rather than any notion of "best"', () => {
    const r = routeVariants([SMALL, FP32_GPU, BIG, FP16], GPU_F16);
    expect(labels(r.eligible)).toEqual(['small-cpu', 'fp32-gpu', 'big-cpu', 'fp16-gpu']);
  });

  it('deviceMemory: below skips, above and unknown keep', () => {
    expect(labels(routeVariants([BIG, SMALL], { ...NO_GPU, deviceMemoryGB: 1 }).eligible)).toEqual(['small-cpu']);
    expect(routeVariants([BIG, SMALL], { ...NO_GPU, deviceMemoryGB: 1 }).skipped.map((s) => s.label)).toEqual(['big-cpu']);
    expect(labels(routeVariants([BIG, SMALL], { ...NO_GPU, deviceMemoryGB: 8 }).eligible)).toEqual(['big-cpu', 'small-cpu']);
    expect(labels(routeVariants([BIG, SMALL], { ...NO_GPU, deviceMemoryGB: undefined }).eligible)).toEqual(['big-cpu', 'small-cpu']);
  });

  it('all blocked: BACKEND_UNAVAILABLE naming each variant and its reason', () => {
    const e = thrown(() => routeVariants([FP16, FP32_GPU, BIG], { webgpu: false, features: [], deviceMemoryGB: 1 }));
    expect(e.code).toBe('BACKEND_UNAVAILABLE');
    expect(e.message).toContain(`fp16-gpu: ${variantBlocker(FP16, NO_GPU)!}`);
    expect(e.message).toContain(`fp32-gpu: ${variantBlocker(FP32_GPU, NO_GPU)!}`);
    expect(e.message).toContain(`big-cpu: ${variantBlocker(BIG, { ...NO_GPU, deviceMemoryGB: 1 })!}`);
    expect(e.details).toEqual({ skipped: ['fp16-gpu', 'fp32-gpu', 'big-cpu'] });
  });

  it('an empty list is OPTION_INVALID', () => {
    expect(thrown(() => routeVariants([], GPU_F16)).code).toBe('OPTION_INVALID');
  });

  it('a variant with neither url nor bytes is OPTION_INVALID naming it, even after an eligible one', () => {
    const e = thrown(() => routeVariants([SMALL, { label: 'ghost' }], GPU_F16));
    expect(e.code).toBe('OPTION_INVALID');
    expect(e.message).toContain("'ghost'");
    // Also when it would have been skipped anyway: a broken option is reported, not hidden.
    expect(thrown(() => routeVariants([SMALL, { label: 'ghost-gpu', requires: { webgpu: true } }], NO_GPU)).code).toBe('OPTION_INVALID');
  });

  it('accepts url-only and bytes-only variants (ArrayBuffer too)', () => {
    const r = routeVariants([{ label: 'u', url: '/u.onnx' }, { label: 'b', bytes: new ArrayBuffer(4) }], NO_GPU);
    expect(labels(r.eligible)).toEqual(['u', 'b']);
  });

  it('backend(): webgpu for variants requiring webgpu or shader-f16, otherwise left to the engine', () => {
    const r = routeVariants([FP16, F16_ONLY, FP32_GPU, BIG, SMALL], GPU_F16);
    expect(r.eligible.map((v) => r.backend(v))).toEqual(['webgpu', 'webgpu', 'webgpu', undefined, undefined]);
    expect(r.backend({ label: 'x', url: '/x', requires: { webgpu: false } })).toBeUndefined();
  });
});

describe('describeRoute', () => {
  it('names the chosen variant alone when nothing was skipped', () => {
    expect(describeRoute(SMALL, [], [])).toBe("variant 'small-cpu'");
  });

  it('lists device skips, then over-budget skips, with the median to two decimals', () => {
    const text = describeRoute(
      SMALL,
      [{ label: 'fp16-gpu', reason: 'needs WebGPU, this device has no adapter' }],
      [{ label: 'big-cpu', medianMs: 12.3456, budgetMs: 10 }],
    );
    expect(text).toBe("variant 'small-cpu'; skipped 'fp16-gpu' (needs WebGPU, this device has no adapter); skipped 'big-cpu' (median 12.35 ms over its 10 ms budget)");
  });

  it('describes a real routing decision', () => {
    const r = routeVariants(ALL, GPU_NO_F16);
    const text = describeRoute(r.eligible[0]!, r.skipped, []);
    expect(text.startsWith("variant 'fp32-gpu'; skipped 'fp16-gpu' (")).toBe(true);
    expect(text).toContain('shader-f16');
  });
});
