/**
 * onnxruntime-web backends: the WebGPU execution provider and the CPU (WASM) one.
 */
import type * as Ort from 'onnxruntime-web';
import { InpageError } from '../errors.ts';
import type { Tensors } from '../tensor.ts';
import type { BackendName } from '../types.ts';
import type { BackendContext, BackendFactory, SessionHandle } from './types.ts';
import type { OrtFlavour, OrtModule } from './ort-runtime.ts';
import { fromOrtOutputs, readMetadata, toOrtFeeds } from './ort-tensors.ts';

class OrtSession implements SessionHandle {
  readonly inputs;
  readonly outputs;
  constructor(
    readonly backend: BackendName, private readonly ort: OrtModule, private readonly session: Ort.InferenceSession,
    private readonly exclusive: <T>(job: () => Promise<T>) => Promise<T>,
  ) {
    this.inputs = readMetadata(session.inputMetadata);
    this.outputs = readMetadata(session.outputMetadata);
  }

  run(feeds: Tensors): Promise<Tensors> {
    return this.exclusive(async () => fromOrtOutputs(await this.session.run(toOrtFeeds(this.ort, feeds))));
  }

  release(): Promise<void> {
    return this.exclusive(() => this.session.release());
  }
}

async function createOrtSession(backend: BackendName, flavour: OrtFlavour, ep: 'webgpu' | 'wasm', bytes: Uint8Array, ctx: BackendContext): Promise<SessionHandle> {
  let ort: OrtModule;
  try {
    ort = await ctx.runtime.get(flavour);
  } catch (e) {
    throw new InpageError('BACKEND_UNAVAILABLE', `Could not load the onnxruntime-web ${flavour} runtime: ${e instanceof Error ? e.message : String(e)}. Check that the ORT files are served (assetBase) and allowed by the page's CSP.`, { backend });
  }
  try {
    const exclusive = <T>(job: () => Promise<T>): Promise<T> => ctx.runtime.exclusive(flavour, job);
    const session = await exclusive(() => ort.InferenceSession.create(bytes, { executionProviders: [ep], graphOptimizationLevel: 'all' }));
    return new OrtSession(backend, ort, session, exclusive);
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    throw new InpageError('MODEL_INVALID', `The model could not be built on ${backend}: ${text}`, { backend });
  }
}

/** WebGPU through ORT's native WebGPU execution provider. */
export const webgpuBackend: BackendFactory = {
  name: 'webgpu',
  priority: 20,
  unavailableReason: (caps) => (caps.webgpu ? null : caps.webgpuReason),
  create: (bytes, ctx) => createOrtSession('webgpu', 'webgpu', 'webgpu', bytes, ctx),
};

/** The CPU execution provider (WASM, SIMD, threads when cross-origin isolated). */
export const wasmBackend: BackendFactory = {
  name: 'wasm',
  priority: 10,
  unavailableReason: () => (typeof WebAssembly === 'object' ? null : 'WebAssembly is not available'),
  create: (bytes, ctx) => createOrtSession('wasm', ctx.cpuFlavour, 'wasm', bytes, ctx),
};
