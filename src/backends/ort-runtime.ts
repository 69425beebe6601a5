/**
 * Lazy loading of onnxruntime-web. Only what the device needs is imported: a device without
 * WebGPU gets the CPU-only build (`onnxruntime-web/wasm`, 14 MB wasm) and never fetches the
 * 27 MB WebGPU runtime. A WebGPU device gets `onnxruntime-web/webgpu`, whose runtime also has
 * the CPU execution provider, so falling back to WASM needs no second download.
 */
import type * as Ort from 'onnxruntime-web';
import { SerialQueue } from '../scheduling/serial-queue.ts';

export type OrtModule = typeof Ort;
/** Which ORT build a worker uses. */
export type OrtFlavour = 'wasm' | 'webgpu';

export interface OrtConfig {
  threads: number;
  /** Self-hosted base URL of the ORT `.wasm` files; default: next to the bundled ORT module. */
  assetBase?: string;
}

/** One ORT module per flavour per worker; configured once, before its first session. */
export class OrtRuntime {
  private readonly loaded = new Map<OrtFlavour, Promise<OrtModule>>();
  private readonly locks = new Map<OrtFlavour, SerialQueue>();
  constructor(private readonly config: OrtConfig) {}

  /**
   * Run `job` alone on this flavour's runtime. The WebGPU build is an asyncify build: a second
   * call into it while another session's run is suspended re-enters the same wasm instance,
   * and concurrent loads/runs of different models then hang (seen: three models loading at
   * once never finished). Per-session queues are not enough; all calls into one runtime queue.
   */
  exclusive<T>(flavour: OrtFlavour, job: () => Promise<T>): Promise<T> {
    let q = this.locks.get(flavour);
    if (!q) { q = new SerialQueue(); this.locks.set(flavour, q); }
    return q.add(job);
  }

  /** Import (once) and configure the ORT build for `flavour`. */
  get(flavour: OrtFlavour): Promise<OrtModule> {
    let p = this.loaded.get(flavour);
    if (!p) {
      const load = (): Promise<unknown> => (flavour === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm'));
      // One retry after a short pause: a dynamic import that fails on a transient network error
      // is not retried by the browser (the retry may still fail where the module map keeps the error).
      p = load().catch(() => new Promise((r) => setTimeout(r, 200)).then(load))
        .then((mod) => this.configure(mod as OrtModule));
      // A failed import must not poison later attempts (e.g. a transient network error).
      p.catch(() => this.loaded.delete(flavour));
      this.loaded.set(flavour, p);
    }
    return p;
  }

  /** The module if it was already imported (for synchronous checks). */
  has(flavour: OrtFlavour): boolean {
    return this.loaded.has(flavour);
  }

  private configure(ort: OrtModule): OrtModule {
    ort.env.wasm.numThreads = this.config.threads;
    // We already are in a worker; ORT's own proxy worker would add a second hop.
    ort.env.wasm.proxy = false;
    // 'error': ORT's warnings (e.g. about unused initializers) are noise for site visitors.
    ort.env.logLevel = 'error';
    if (this.config.assetBase) {
      const base = this.config.assetBase.endsWith('/') ? this.config.assetBase : `${this.config.assetBase}/`;
      ort.env.wasm.wasmPaths = base;
    }
    return ort;
  }
}
