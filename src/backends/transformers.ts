/**
 * @huggingface/transformers inside the engine's worker, on the engine's own onnxruntime-web.
 *
 * - Lazy: the module is imported on the first `engine.pipeline()`, so it is its own chunk and
 *   engines that never use pipelines never download it (worker bundle budget: ≤ 60 KB gzip).
 * - One ORT: transformers.js 4.3.2's browser build statically imports `onnxruntime-web/webgpu`,
 *   but first looks for a runtime under `globalThis[Symbol.for('onnxruntime')]` (dist/transformers.web.js,
 *   src/backends/onnx.js). We put the ORT module this worker already uses there (the WASM-only
 *   build on devices without WebGPU), so transformers never initialises a second runtime or
 *   fetches a second 14–27 MB .wasm. With that symbol set it registers no devices of its own
 *   (`deviceToExecutionProviders` would reject 'wasm'/'webgpu'), so we pass `device: 'auto'` and
 *   choose the execution provider ourselves through `session_options.executionProviders`, from
 *   the same backend plan and fallback order as ONNX models.
 * - Never a CDN: on import transformers writes a jsDelivr URL into `ort.env.wasm.wasmPaths` when
 *   none is set; we put back the engine's own setting (the self-hosted `assetBase`, or unset =
 *   the file the bundler emitted next to ORT).
 * - `env` is a module global, but the module lives in this worker, which belongs to one engine;
 *   per-model settings (host, cache) are set under a lock for the duration of each load.
 */
import type * as Transformers from '@huggingface/transformers';
import type * as Ort from 'onnxruntime-web';
import type { Capabilities } from '../capabilities.ts';
import { InpageError, toInpageError } from '../errors.ts';
import type { PipelineToWorker } from '../protocol.ts';
import type { PipelineDtype, PipelineFile, PipelineProgress } from '../pipeline-types.ts';
import { SerialQueue } from '../scheduling/serial-queue.ts';
import type { BackendName } from '../types.ts';
import type { Lane, OrtFlavour, OrtModule, OrtRuntime } from './ort-runtime.ts';
import { newFileLoad, type PipelineFiles } from './transformers-files.ts';

export type TransformersModule = typeof Transformers;
/** A loaded transformers.js pipeline (callable; `dispose()` releases its sessions). */
export type HfPipeline = ((...args: unknown[]) => Promise<unknown>) & { dispose(): Promise<void> };

/** transformers.js' own default weight precision per device (utils/dtypes.js). */
const DEFAULT_DTYPE: Record<BackendName, PipelineDtype> = { wasm: 'q8', webgpu: 'fp32' };
const ORT_SYMBOL = Symbol.for('onnxruntime');

/** A pipeline built on one backend, and the facts about its load. */
export interface BuiltPipeline {
  pipe: HfPipeline;
  backend: BackendName;
  dtype: string;
  files: PipelineFile[];
}

/** The session-creation hook of the load in progress (for the 'compile' phase and clean-up). */
interface SessionWatch {
  backend: BackendName;
  /** The executor lane of the load (its session builds run there). */
  lane: Lane;
  onCreate(): void;
  sessions: { release(): Promise<void> }[];
}

type TransformersConfig = Record<string, unknown> & { 'transformers.js_config'?: { dtype?: unknown; device_config?: Record<string, { dtype?: unknown }> } };

/** Which weight file a load uses: the caller's, else the model's config, else transformers.js' device default. */
export function chooseDtype(requested: PipelineToWorker['dtype'], config: TransformersConfig, backend: BackendName): PipelineDtype | Record<string, PipelineDtype> {
  if (requested !== undefined && requested !== 'auto') return requested;
  const custom = config['transformers.js_config'];
  const fromConfig = custom?.device_config?.[backend]?.dtype ?? custom?.dtype;
  if (typeof fromConfig === 'string' && fromConfig !== 'auto') return fromConfig as PipelineDtype;
  if (fromConfig !== null && typeof fromConfig === 'object') return fromConfig as Record<string, PipelineDtype>;
  return DEFAULT_DTYPE[backend];
}

function dtypeName(d: PipelineDtype | Record<string, PipelineDtype>): string {
  return typeof d === 'string' ? d : Object.entries(d).map(([k, v]) => `${k}:${v}`).join(',');
}

/** Why `dtype` cannot run on `backend` here, or null. */
function dtypeUnsupported(d: PipelineDtype | Record<string, PipelineDtype>, backend: BackendName, caps: Capabilities): string | null {
  const values = typeof d === 'string' ? [d] : Object.values(d);
  if (backend === 'webgpu' && values.some((v) => v.includes('f16')) && !caps.adapter?.features.includes('shader-f16')) {
    return `dtype '${dtypeName(d)}' needs the WebGPU feature shader-f16, which this adapter lacks`;
  }
  return null;
}

/** Explains a failed load with the code a caller can act on. */
function loadError(e: unknown, spec: PipelineToWorker, failures: readonly { url: string; status: number }[]): InpageError {
  if (e instanceof InpageError) return e;
  const text = e instanceof Error ? e.message : String(e);
  if (/^Unsupported pipeline/.test(text)) {
    return new InpageError('OPTION_INVALID', `engine.pipeline(): '${spec.task}' is not a transformers.js task. ${text}`, { task: spec.task });
  }
  const failed = failures.find((f) => f.status !== 404 || /config\.json$|tokenizer\.json$|\.onnx$/.test(f.url)) ?? failures[0];
  if (failed && /locate file|not found|Could not|404|Unable to get model file/i.test(text)) {
    return new InpageError('MODEL_FETCH_FAILED', `engine.pipeline(): ${failed.url} answered HTTP ${failed.status}. Check the model id '${spec.model}', the revision and modelHost (${spec.host.remoteHost}${spec.host.pathTemplate}). (${text})`, { url: failed.url, status: failed.status });
  }
  return new InpageError('MODEL_INVALID', `engine.pipeline(): transformers.js could not build '${spec.model}' for '${spec.task}': ${text}`, { model: spec.model });
}

/** Options of {@link TransformersRuntime}. */
export interface TransformersRuntimeOptions {
  /** The worker's ORT: pipelines build, run and release their sessions through its executor. */
  runtime: OrtRuntime;
  /** Which ORT build this worker's ONNX models use (pipelines use the same one). */
  flavour: OrtFlavour;
  files: PipelineFiles;
  caps: Capabilities;
  /** How the module is imported (tests substitute it). Default: dynamic `import('@huggingface/transformers')`. */
  importModule?: () => Promise<TransformersModule>;
}

/** One per worker: the lazily imported transformers.js, configured for this engine. */
export class TransformersRuntime {
  private loaded: Promise<TransformersModule> | undefined;
  /**
   * One load at a time: transformers.js' `env` (host, fetch, cache) is a module global set per
   * load. This is not an ORT lock: the load's session builds still take their turns in the
   * executor like every other ORT call.
   */
  private readonly loading = new SerialQueue();
  private watch: SessionWatch | undefined;

  constructor(private readonly opts: TransformersRuntimeOptions) {}

  /** Whether the module has been imported (engine.info() and tests). */
  get imported(): boolean {
    return this.loaded !== undefined;
  }

  /** Import and configure transformers.js once. */
  module(): Promise<TransformersModule> {
    this.loaded ??= this.importOnce();
    this.loaded.catch(() => { this.loaded = undefined; });
    return this.loaded;
  }

  private async importOnce(): Promise<TransformersModule> {
    let ort: OrtModule;
    const { runtime, flavour } = this.opts;
    try {
      ort = await runtime.get(flavour);
    } catch (e) {
      throw new InpageError('BACKEND_UNAVAILABLE', `Could not load onnxruntime-web for pipelines: ${e instanceof Error ? e.message : String(e)}. Check that the ORT files are served (assetBase).`);
    }
    const wasmPaths = ort.env.wasm.wasmPaths;
    const logLevel = ort.env.logLevel;
    type Session = Ort.InferenceSession;
    // transformers reads InferenceSession.create, Tensor and env from the runtime it is given.
    // Sessions it creates without providers (its small helper ops: top-k, interpolation) stay on
    // the CPU provider rather than whatever the runtime would try first.
    const proxied = {
      ...ort,
      InferenceSession: {
        create: async (bytes: Uint8Array, o: Ort.InferenceSession.SessionOptions = {}) => {
          const watch = this.watch;
          const providers = o.executionProviders ?? ['wasm'];
          watch?.onCreate();
          try {
            const session: Session = await runtime.createSession(flavour, bytes, { ...o, executionProviders: providers }, watch?.lane ?? 'run');
            // Its runs and release go through the executor too, one ORT call per turn:
            // transformers.js creates helper sessions (top-k, …) lazily in the middle of a
            // pipeline call, so a turn must never span a whole call.
            const raw = { run: session.run.bind(session), release: session.release.bind(session) } as Pick<Session, 'run' | 'release'>;
            session.run = ((feeds: Ort.InferenceSession.FeedsType, options?: Ort.InferenceSession.RunOptions) => runtime.run(flavour, raw, feeds, 'run', options)) as Session['run'];
            session.release = () => runtime.release(flavour, raw);
            watch?.sessions.push(session);
            return session;
          } catch (e) {
            const backend = Array.isArray(providers) && providers[0] === 'webgpu' ? 'webgpu' : 'wasm';
            throw new InpageError('MODEL_INVALID', `The model could not be built on ${backend}: ${e instanceof Error ? e.message : String(e)}`, { backend });
          }
        },
      },
    };
    (globalThis as Record<symbol, unknown>)[ORT_SYMBOL] = proxied;
    let tf: TransformersModule;
    try {
      tf = await (this.opts.importModule ?? (() => import('@huggingface/transformers')))();
    } catch (e) {
      throw new InpageError('BACKEND_UNAVAILABLE', `Could not load @huggingface/transformers: ${e instanceof Error ? e.message : String(e)}. Is it installed (npm i @huggingface/transformers) and served with the app?`);
    }
    // Undo what transformers' import did to the shared runtime (see the file comment).
    if (wasmPaths === undefined) delete ort.env.wasm.wasmPaths;
    else ort.env.wasm.wasmPaths = wasmPaths;
    const { env } = tf;
    env.logLevel = tf.LogLevel.ERROR;
    if (logLevel !== undefined) ort.env.logLevel = logLevel;
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
    env.useBrowserCache = false;
    env.useFSCache = false;
    env.useWasmCache = false;
    env.useFS = false;
    env.experimental_useCrossOriginStorage = false;
    env.useCustomCache = true;
    env.customCache = this.opts.files.cache as unknown as typeof env.customCache;
    env.fetch = this.opts.files.fetch;
    return tf;
  }

  /**
   * Build a pipeline on the first backend of `order` that can run it. A session that fails to
   * build on one backend is the reason for the next (as for ONNX models); download and
   * configuration errors are not retried.
   */
  load(spec: PipelineToWorker, order: readonly BackendName[], signal: AbortSignal, progress: (p: PipelineProgress) => void): Promise<BuiltPipeline & { reasons: string[] }> {
    return this.loading.add(async () => {
      const tf = await this.module();
      const lane = this.opts.runtime.loadLane(signal);
      const reasons: string[] = [];
      let last: InpageError | undefined;
      for (const [i, backend] of order.entries()) {
        try {
          return { ...(await this.loadOn(tf, spec, backend, lane, signal, progress)), reasons };
        } catch (e) {
          const err = toInpageError(e, 'MODEL_INVALID');
          const retryable = (err.code === 'MODEL_INVALID' && err.details?.['backend'] === backend) || err.code === 'BACKEND_UNAVAILABLE';
          if (!retryable || i === order.length - 1 || signal.aborted) throw err;
          reasons.push(`${backend}: ${err.message}`);
          last = err;
        }
      }
      throw last ?? new InpageError('BACKEND_UNAVAILABLE', 'No backend could build the pipeline.');
    }, signal);
  }

  private async loadOn(tf: TransformersModule, spec: PipelineToWorker, backend: BackendName, lane: Lane, signal: AbortSignal, progress: (p: PipelineProgress) => void): Promise<BuiltPipeline> {
    const { env } = tf;
    env.remoteHost = spec.host.remoteHost;
    env.remotePathTemplate = spec.host.pathTemplate;
    const base = `${spec.host.remoteHost}${spec.host.pathTemplate.replaceAll('{model}', spec.model).replaceAll('{revision}', encodeURIComponent(spec.revision))}`;
    const load = newFileLoad(signal, spec.cache, base, progress, spec.integrity);
    let compiling = false;
    const watch: SessionWatch = {
      backend,
      lane,
      onCreate: () => {
        if (compiling) return;
        compiling = true;
        let loaded = 0;
        for (const n of load.loaded.values()) loaded += n;
        progress({ phase: 'compile', loaded, total: loaded });
      },
      sessions: [],
    };
    this.opts.files.current = load;
    this.watch = watch;
    try {
      const config = (await tf.AutoConfig.from_pretrained(spec.model, { revision: spec.revision })) as unknown as TransformersConfig;
      const dtype = chooseDtype(spec.dtype, config, backend);
      const unsupported = dtypeUnsupported(dtype, backend, this.opts.caps);
      if (unsupported) throw new InpageError('BACKEND_UNAVAILABLE', unsupported, { backend });
      const pipe = (await tf.pipeline(spec.task as Transformers.PipelineType, spec.model, {
        revision: spec.revision,
        config: config as unknown as Transformers.PretrainedConfig,
        device: 'auto',
        dtype: dtype as Transformers.DataType,
        session_options: { executionProviders: [backend], graphOptimizationLevel: 'all' },
      })) as unknown as HfPipeline;
      if (signal.aborted) {
        await pipe.dispose().catch(() => {});
        throw new InpageError('ABORTED', 'Loading the pipeline was aborted.');
      }
      return { pipe, backend, dtype: dtypeName(dtype), files: [...load.files.values()] };
    } catch (e) {
      // Sessions built before the failure (another file failed, or the caller aborted) would leak.
      await Promise.all(watch.sessions.map((s) => s.release().catch(() => {})));
      if (signal.aborted) throw new InpageError('ABORTED', 'Loading the pipeline was aborted.');
      throw loadError(load.refused ?? e, spec, load.failures);
    } finally {
      this.opts.files.current = undefined;
      this.watch = undefined;
    }
  }
}
