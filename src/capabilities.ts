/**
 * A one-time, frozen probe of what the device can do, taken inside the worker (where the models
 * run). Each fact carries enough detail for `engine.info()` to explain the backend choice.
 */
import type { AdapterInfo } from './types.ts';

export interface Capabilities {
  readonly webgpu: boolean;
  /** Why WebGPU is or is not usable, in words. */
  readonly webgpuReason: string;
  readonly adapter: Readonly<AdapterInfo> | undefined;
  readonly crossOriginIsolated: boolean;
  readonly hardwareConcurrency: number;
  readonly simd: boolean;
  readonly storage: { readonly cacheStorage: boolean; readonly indexedDB: boolean };
}

// The smallest module using a v128 instruction: validates only where WASM SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** Probe the current global scope. Never throws: a failed probe is reported as "not available". */
export async function probeCapabilities(scope: typeof globalThis = globalThis): Promise<Capabilities> {
  const gpu = (scope.navigator as Navigator | undefined)?.gpu;
  let adapter: AdapterInfo | undefined;
  let webgpuReason: string;
  if (!gpu) {
    webgpuReason = 'this browser has no WebGPU (navigator.gpu is undefined)';
  } else {
    try {
      const a = await gpu.requestAdapter();
      if (!a) {
        webgpuReason = 'no WebGPU adapter (navigator.gpu.requestAdapter() returned null)';
      } else {
        const info = a.info;
        adapter = {
          vendor: info?.vendor ?? '',
          architecture: info?.architecture ?? '',
          description: info?.description ?? '',
          features: [...a.features].map(String).sort(),
          // isFallbackAdapter moved from the adapter to adapter.info in newer specs.
          isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter
            ?? (a as { isFallbackAdapter?: boolean }).isFallbackAdapter),
        };
        webgpuReason = `WebGPU adapter ${adapter.vendor || 'unknown'}/${adapter.architecture || 'unknown'}`
          + (adapter.isFallbackAdapter ? ' (software fallback adapter)' : '');
      }
    } catch (e) {
      webgpuReason = `requesting a WebGPU adapter failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  let simd = false;
  try { simd = WebAssembly.validate(SIMD_PROBE); } catch { simd = false; }
  return Object.freeze({
    webgpu: adapter !== undefined,
    webgpuReason,
    adapter: adapter ? Object.freeze(adapter) : undefined,
    crossOriginIsolated: Boolean(scope.crossOriginIsolated),
    hardwareConcurrency: scope.navigator?.hardwareConcurrency ?? 1,
    simd,
    storage: Object.freeze({ cacheStorage: typeof scope.caches !== 'undefined', indexedDB: typeof scope.indexedDB !== 'undefined' }),
  });
}

/**
 * WASM threads to use: ORT's threaded build needs SharedArrayBuffer, which only exists when the
 * page is cross-origin isolated; asking for more without it makes ORT warn and fall back to 1.
 */
export function chooseThreads(caps: Capabilities, requested?: number): number {
  if (!caps.crossOriginIsolated) return 1;
  const max = Math.max(1, Math.min(4, caps.hardwareConcurrency));
  return requested === undefined ? max : Math.max(1, Math.min(requested, caps.hardwareConcurrency));
}
