/**
 * Backend planning and thread choice on fake capability tables (no device probe).
 */
import { describe, expect, it } from 'vitest';
import { wasmBackend, webgpuBackend } from '../../src/backends/onnx.ts';
import { BackendRegistry, type BackendFactory } from '../../src/backends/types.ts';
import { chooseThreads, type Capabilities } from '../../src/capabilities.ts';
import { planBackends } from '../../src/routing/backend-order.ts';
import type { BackendName } from '../../src/types.ts';
import { thrown } from './helpers/catch.ts';

const NO_GPU_REASON = 'no WebGPU adapter (navigator.gpu.requestAdapter() returned null)';

function caps(over: Partial<Capabilities> = {}): Capabilities {
  return Object.freeze({
    webgpu: false,
    webgpuReason: NO_GPU_REASON,
    adapter: undefined,
    crossOriginIsolated: false,
    hardwareConcurrency: 8,
    simd: true,
    storage: { cacheStorage: true, indexedDB: true },
    ...over,
  });
}

const GPU = caps({
  webgpu: true,
  webgpuReason: 'WebGPU adapter nvidia/ampere',
  adapter: { vendor: 'nvidia', architecture: 'ampere', description: '', features: ['shader-f16'], isFallbackAdapter: false },
});

function registry(): BackendRegistry {
  // Registered lowest priority first, so the order must come from priority, not insertion.
  return new BackendRegistry().register(wasmBackend).register(webgpuBackend);
}

function fake(name: BackendName, priority: number, why: string | null): BackendFactory {
  return { name, priority, unavailableReason: () => why, create: () => Promise.reject(new Error('not in this test')) };
}

const names = (order: readonly BackendFactory[]): string[] => order.map((f) => f.name);

describe('BackendRegistry', () => {
  it('orders by priority, highest first', () => {
    expect(names(registry().byPriority())).toEqual(['webgpu', 'wasm']);
    expect(names(new BackendRegistry().register(fake('webgpu', 1, null)).register(fake('wasm', 5, null)).byPriority())).toEqual(['wasm', 'webgpu']);
  });
});

describe('planBackends, auto', () => {
  it('with WebGPU: webgpu first, wasm as fallback, reason from the adapter', () => {
    const plan = planBackends('auto', registry(), GPU);
    expect(names(plan.order)).toEqual(['webgpu', 'wasm']);
    expect(plan.reason).toBe('auto: WebGPU adapter nvidia/ampere');
  });

  it('without WebGPU: wasm only, and the reason says why WebGPU was skipped', () => {
    const plan = planBackends('auto', registry(), caps());
    expect(names(plan.order)).toEqual(['wasm']);
    expect(plan.reason).toBe(`auto: ${NO_GPU_REASON}`);
  });

  it('with only wasm registered and nothing skipped: says WASM has the highest priority', () => {
    const plan = planBackends('auto', new BackendRegistry().register(wasmBackend), caps());
    expect(names(plan.order)).toEqual(['wasm']);
    expect(plan.reason).toBe('auto: WASM has the highest priority');
  });

  it('with nothing usable: BACKEND_UNAVAILABLE listing every reason', () => {
    const reg = new BackendRegistry().register(fake('webgpu', 20, 'no gpu here')).register(fake('wasm', 10, 'WebAssembly is not available'));
    const e = thrown(() => planBackends('auto', reg, caps()));
    expect(e.code).toBe('BACKEND_UNAVAILABLE');
    expect(e.message).toContain('no gpu here');
    expect(e.message).toContain('WebAssembly is not available');
  });
});

describe('planBackends, forced', () => {
  it("'webgpu' without an adapter: WEBGPU_UNAVAILABLE carrying the adapter reason", () => {
    const e = thrown(() => planBackends('webgpu', registry(), caps()));
    expect(e.code).toBe('WEBGPU_UNAVAILABLE');
    expect(e.message).toContain(NO_GPU_REASON);
    expect(e.message).toContain("backend: 'auto'");
    expect(e.details).toEqual({ backend: 'webgpu', reason: NO_GPU_REASON });
  });

  it("'webgpu' with an adapter: webgpu only, no fallback", () => {
    const plan = planBackends('webgpu', registry(), GPU);
    expect(names(plan.order)).toEqual(['webgpu']);
    expect(plan.reason).toBe("backend 'webgpu' requested by the caller");
  });

  it("'wasm' even when WebGPU is present: wasm only", () => {
    const plan = planBackends('wasm', registry(), GPU);
    expect(names(plan.order)).toEqual(['wasm']);
    expect(plan.reason).toContain('requested by the caller');
  });

  it("'wasm' that cannot run: BACKEND_UNAVAILABLE (not WEBGPU_UNAVAILABLE)", () => {
    const reg = new BackendRegistry().register(fake('wasm', 10, 'WebAssembly is not available'));
    const e = thrown(() => planBackends('wasm', reg, caps()));
    expect(e.code).toBe('BACKEND_UNAVAILABLE');
    expect(e.message).toContain('WebAssembly is not available');
  });

  it('a backend that is not registered', () => {
    const e = thrown(() => planBackends('webgpu', new BackendRegistry().register(wasmBackend), GPU));
    expect(e.code).toBe('WEBGPU_UNAVAILABLE');
    expect(e.message).toContain("backend 'webgpu' is not registered");
  });
});

describe('chooseThreads', () => {
  it('is 1 when not cross-origin isolated, whatever was asked', () => {
    expect(chooseThreads(caps({ crossOriginIsolated: false, hardwareConcurrency: 16 }))).toBe(1);
    expect(chooseThreads(caps({ crossOriginIsolated: false, hardwareConcurrency: 16 }), 8)).toBe(1);
  });

  it.each([[16, 4], [8, 4], [4, 4], [3, 3], [2, 2], [1, 1], [0, 1]])('isolated with %i cores defaults to %i (min(4, cores), at least 1)', (cores, want) => {
    expect(chooseThreads(caps({ crossOriginIsolated: true, hardwareConcurrency: cores }))).toBe(want);
  });

  it.each([[3, 8, 3], [6, 8, 6], [16, 8, 8], [0, 8, 1], [-2, 8, 1], [2, 1, 1]])('isolated: requested %i on %i cores gives %i (clamped to [1, cores])', (requested, cores, want) => {
    expect(chooseThreads(caps({ crossOriginIsolated: true, hardwareConcurrency: cores }), requested)).toBe(want);
  });
});
