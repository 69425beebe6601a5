/**
 * onnxruntime-web backends: the WebGPU execution provider and the CPU (WASM) one. Every ORT
 * call goes through the runtime (ort-runtime.ts) and so through its one executor.
 */
import type * as Ort from 'onnxruntime-web';
import { InpageError } from '../errors.ts';
import type { Tensors } from '../tensor.ts';
import type { BackendName } from '../types.ts';
import type { BackendContext, BackendFactory, SessionHandle } from './types.ts';
import type { Lane, OrtFlavour, OrtModule } from './ort-runtime.ts';
import { fromOrtOutputs, readMetadata, toOrtFeeds } from './ort-tensors.ts';

class OrtSession implements SessionHandle {
  readonly inputs;
  readonly outputs;
  constructor(
    readonly backend: BackendName, private readonly ort: OrtModule, private readonly session: Ort.InferenceSession,
    private readonly flavour: OrtFlavour, private readonly ctx: BackendContext,
  ) {
    this.inputs = readMetadata(session.inputMetadata);
    this.outputs = readMetadata(session.outputMetadata);
  }

  async run(feeds: Tensors, lane: Lane = 'run', timing?: { ms: number }): Promise<Tensors> {
    return fromOrtOutputs(await this.ctx.runtime.run(this.flavour, this.session, toOrtFeeds(this.ort, feeds), lane, undefined, timing));
  }

  release(): Promise<void> {
    return this.ctx.runtime.release(this.flavour, this.session);
  }
}

async function createOrtSession(backend: BackendName, flavour: OrtFlavour, ep: 'webgpu' | 'wasm', bytes: Uint8Array, ctx: BackendContext, lane: Lane): Promise<SessionHandle> {
  let ort: OrtModule;
  try {
    ort = await ctx.runtime.get(flavour);
  } catch (e) {
    // A runtime file that failed its check is not "unavailable": say so, and fall back to nothing.
    if (e instanceof InpageError && e.code === 'INTEGRITY_MISMATCH') throw e;
    throw new InpageError('BACKEND_UNAVAILABLE', `Could not load the onnxruntime-web ${flavour} runtime: ${e instanceof Error ? e.message : String(e)}. Check that the ORT files are served (assetBase) and allowed by the page's CSP.`, { backend });
  }
  try {
    // logSeverityLevel 3 (error): env.logLevel does not reach the session's own logger, whose
    // warnings (e.g. shape ops placed on the CPU under WebGPU) land in the site's console.
    const session = await ctx.runtime.createSession(flavour, bytes, { executionProviders: [ep], graphOptimizationLevel: 'all', logSeverityLevel: 3 }, lane);
    return new OrtSession(backend, ort, session, flavour, ctx);
  } catch (e) {
    if (e instanceof InpageError && e.code === 'ABORTED') throw e;
    const text = e instanceof Error ? e.message : String(e);
    throw new InpageError('MODEL_INVALID', `The model could not be built on ${backend}: ${text}`, { backend });
  }
}

/** WebGPU through ORT's native WebGPU execution provider. */
export const webgpuBackend: BackendFactory = {
  name: 'webgpu',
  priority: 20,
  unavailableReason: (caps) => (caps.webgpu ? null : caps.webgpuReason),
  create: (bytes, ctx, lane = 'run') => createOrtSession('webgpu', 'webgpu', 'webgpu', bytes, ctx, lane),
};

/** The CPU execution provider (WASM, SIMD, threads when cross-origin isolated). */
export const wasmBackend: BackendFactory = {
  name: 'wasm',
  priority: 10,
  unavailableReason: () => (typeof WebAssembly === 'object' ? null : 'WebAssembly is not available'),
  create: (bytes, ctx, lane = 'run') => createOrtSession('wasm', ctx.cpuFlavour, 'wasm', bytes, ctx, lane),
};
