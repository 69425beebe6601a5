/**
 * onnxruntime-web in a worker: loaded lazily, configured once, and entered only through the
 * runtime's {@link Executor}. This file is the only code in the SDK that calls ORT itself
 * (session builds, runs, releases); ONNX models (onnx.ts) and transformers.js pipelines
 * (transformers.ts) both go through it, so one queue with one policy decides what runs next.
 *
 * Only what the device needs is imported: a device without WebGPU gets the CPU-only build
 * (`onnxruntime-web/wasm`, 14 MB wasm) and never fetches the 27 MB WebGPU runtime. A WebGPU
 * device gets `onnxruntime-web/webgpu`, whose runtime also has the CPU execution provider, so
 * falling back to WASM needs no second download.
 */
import type * as Ort from 'onnxruntime-web';
import { InpageError } from '../errors.ts';
import { Executor, type Lane } from '../scheduling/executor.ts';
import { verifiedWasm } from './ort-wasm-integrity.ts';

export type OrtModule = typeof Ort;
/** Which ORT build a worker uses. */
export type OrtFlavour = 'wasm' | 'webgpu';
export type { Lane };

export interface OrtConfig {
  threads: number;
  /** Self-hosted base URL of the ORT `.wasm` files; default: next to the bundled ORT module. */
  assetBase?: string;
  /** SRI of ORT's `.wasm` files under `assetBase`, by name: a listed one is fetched and checked here (ort-wasm-integrity.ts). */
  integrity?: Readonly<Record<string, string>>;
}

/** The `.wasm` each flavour's ORT build loads (onnxruntime-web 1.30: the /wasm and /webgpu builds). */
export const ORT_WASM_FILE: Readonly<Record<OrtFlavour, string>> = {
  wasm: 'ort-wasm-simd-threaded.wasm',
  webgpu: 'ort-wasm-simd-threaded.asyncify.wasm',
};

/** One ORT module and one executor per flavour per worker. */
export class OrtRuntime {
  private readonly loaded = new Map<OrtFlavour, Promise<OrtModule>>();
  private readonly executors = new Map<OrtFlavour, Executor>();
  private loads = 0;
  constructor(private readonly config: OrtConfig) {}

  /** The executor in front of `flavour`'s runtime (created on first use). */
  executor(flavour: OrtFlavour): Executor {
    let ex = this.executors.get(flavour);
    if (!ex) { ex = new Executor(); this.executors.set(flavour, ex); }
    return ex;
  }

  /** A lane for the steps of a new load: loads take turns oldest first (see executor.ts). */
  loadLane(signal?: AbortSignal): Lane {
    return { load: ++this.loads, signal };
  }

  /** Build a session (in `lane`). */
  async createSession(flavour: OrtFlavour, bytes: Uint8Array, options: Ort.InferenceSession.SessionOptions, lane: Lane): Promise<Ort.InferenceSession> {
    const ort = await this.get(flavour);
    const signal = lane === 'run' ? undefined : lane.signal;
    return this.executor(flavour).add(lane, async () => {
      const session = await ort.InferenceSession.create(bytes, options);
      // The caller gave up while this build ran (its promise already rejected ABORTED): nobody
      // will ever release this session, so release it now, still in this turn.
      if (signal?.aborted) await session.release().catch(() => {});
      return session;
    });
  }

  /**
   * Run a session (in `lane`: runs of loaded models in 'run', warm-up and measurement in their
   * load's lane). `timing.ms` gets the time of the run itself, measured inside its turn.
   */
  run(flavour: OrtFlavour, session: Pick<Ort.InferenceSession, 'run'>, feeds: Ort.InferenceSession.FeedsType, lane: Lane, options?: Ort.InferenceSession.RunOptions, timing?: { ms: number }): Promise<Ort.InferenceSession.ReturnType> {
    return this.executor(flavour).add(lane, async () => {
      const t0 = performance.now();
      const out = await (options === undefined ? session.run(feeds) : session.run(feeds, options));
      if (timing) timing.ms = performance.now() - t0;
      return out;
    });
  }

  /** Release a session (cheap; in the run lane so memory is freed promptly). */
  release(flavour: OrtFlavour, session: Pick<Ort.InferenceSession, 'release'>): Promise<void> {
    return this.executor(flavour).add('run', () => session.release());
  }

  /** Import (once) and configure the ORT build for `flavour`. */
  get(flavour: OrtFlavour): Promise<OrtModule> {
    let p = this.loaded.get(flavour);
    if (!p) {
      const load = (): Promise<unknown> => (flavour === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm'));
      // One retry after a short pause: a dynamic import that fails on a transient network error
      // is not retried by the browser (the retry may still fail where the module map keeps the error).
      const imported = load().catch(() => new Promise((r) => setTimeout(r, 200)).then(load));
      const wasm = this.checkedWasm(flavour);
      p = Promise.all([imported, wasm]).then(([mod, binary]) => this.configure(mod as OrtModule, binary));
      // A failed import must not poison later attempts (e.g. a transient network error); a file
      // that failed its check stays refused (it would be fetched again only to fail again).
      p.catch((e: unknown) => { if (!(e instanceof InpageError && e.code === 'INTEGRITY_MISMATCH')) this.loaded.delete(flavour); });
      this.loaded.set(flavour, p);
    }
    return p;
  }

  /** The module if it was already imported (for synchronous checks). */
  has(flavour: OrtFlavour): boolean {
    return this.loaded.has(flavour);
  }

  /** The flavour's `.wasm`, fetched and checked, when `integrity` lists it (else ORT fetches it itself). */
  private checkedWasm(flavour: OrtFlavour): Promise<Uint8Array | undefined> {
    const file = ORT_WASM_FILE[flavour];
    const sri = this.config.integrity !== undefined && Object.hasOwn(this.config.integrity, file) ? this.config.integrity[file] : undefined;
    if (sri === undefined || this.config.assetBase === undefined) return Promise.resolve(undefined);
    return verifiedWasm(new URL(file, this.base()).href, sri);
  }

  private base(): string {
    const b = this.config.assetBase ?? '';
    return b.endsWith('/') ? b : `${b}/`;
  }

  private configure(ort: OrtModule, binary?: Uint8Array): OrtModule {
    ort.env.wasm.numThreads = this.config.threads;
    // We already are in a worker; ORT's own proxy worker would add a second hop.
    ort.env.wasm.proxy = false;
    // 'error': ORT's warnings (e.g. about unused initializers) are noise for site visitors.
    ort.env.logLevel = 'error';
    if (this.config.assetBase) ort.env.wasm.wasmPaths = this.base();
    // Verified bytes: ORT compiles these and fetches no .wasm of its own.
    if (binary !== undefined) ort.env.wasm.wasmBinary = binary;
    return ort;
  }
}
