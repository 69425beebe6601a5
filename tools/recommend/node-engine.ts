/**
 * The recommender's {@link EngineLike} in Node: the packaged ONNX model in onnxruntime-node (native,
 * one CPU thread per session) or onnxruntime-web's WASM build, which both expose the same API.
 *
 * Calls are micro-batched: `run()` calls made in the same turn of the event loop with the same
 * `k` are stacked into one `[batch, …]` run (the graph's first dimension is `batch`) and the rows
 * handed back to their callers. The page-side code (`recommendList` → `runModel` → `historyFeeds`)
 * still builds one visitor's feeds per call, so a subscriber's inputs are exactly the page's; the
 * batching only saves the per-run overhead that dominates a model this small.
 *
 * @example
 * const engine = await nodeEngine({ runtime: 'wasm', read: (url) => readFile(fileURLToPath(url)) });
 * const pkg = await loadRecommender(engine, pathToFileURL('reco/manifest.json'), fileFetch);
 */
import { createHash } from 'node:crypto';
import { InpageError } from '../../src/errors.ts';
import type { EngineLike, ModelLike } from '../../src/recommend/engine-like.ts';
import type { Tensor } from '../../src/tensor.ts';

/** Which ONNX runtime runs the model: see docs/NEWSLETTER.md ("Which runtime"). */
export type NodeRuntime = 'node' | 'wasm';

/** The part of onnxruntime's API used here (the same in onnxruntime-node and onnxruntime-web). */
type Ort = typeof import('onnxruntime-web');
type OrtSession = Awaited<ReturnType<Ort['InferenceSession']['create']>>;
type OrtTensor = InstanceType<Ort['Tensor']>;

/** Options of {@link nodeEngine}. */
export interface NodeEngineOptions {
  /** `'wasm'`: onnxruntime-web, a dependency of inpage; `'node'`: onnxruntime-node, when installed. */
  runtime: NodeRuntime;
  /** The model's bytes for a (file) URL. */
  read: (url: string) => Promise<Uint8Array>;
  /** Most rows stacked in one run; capped further so one batch's bias stays under 16 MB. Default 256. */
  maxBatch?: number;
}

/** A Node engine and the runtime it ended up with. */
export interface NodeEngine extends EngineLike {
  readonly runtime: NodeRuntime;
}

async function loadOrt(runtime: NodeRuntime): Promise<Ort> {
  // Variable specifiers: the CLI bundle keeps them imports of the installed packages (the WASM
  // build finds its .wasm file next to its own module), never inlined copies.
  const name = runtime === 'node' ? 'onnxruntime-node' : 'onnxruntime-web';
  let ort: Ort;
  try {
    ort = (await import(name)) as Ort;
  } catch (e) {
    if (runtime === 'wasm') throw e;
    throw new InpageError('OPTION_INVALID', `--runtime node: onnxruntime-node does not load here (${(e as Error).message.split('\n')[0]}). Install it next to inpage (npm install onnxruntime-node) or leave --runtime at wasm.`);
  }
  if (runtime === 'wasm') ort.env.wasm.numThreads = 1; // parallel across worker threads instead
  return ort;
}

interface Pending {
  feeds: Record<string, Tensor>;
  resolve: (out: Record<string, Tensor>) => void;
  reject: (e: unknown) => void;
}

/** Stacks same-shaped `[1, n]` rows into one `[rows, n]` typed array. */
function stack<T extends BigInt64Array | Float32Array>(rows: readonly T[], make: (n: number) => T): T {
  const n = rows[0]!.length;
  const out = make(rows.length * n);
  rows.forEach((r, i) => out.set(r as never, i * n));
  return out;
}

function batchedModel(ort: Ort, session: OrtSession, maxBatch: number): ModelLike {
  const names = session.inputNames;
  let queue: Pending[] = [];
  let scheduled = false;

  const runGroup = async (group: Pending[]): Promise<void> => {
    const first = group[0]!.feeds;
    const feeds: Record<string, OrtTensor> = {};
    for (const name of names) {
      const t = first[name];
      if (t === undefined) throw new InpageError('INPUT_INVALID', `The model needs input '${name}'.`);
      // A caller alone in its turn (one visitor, or a whole batch already stacked by its caller,
      // tools/recommend/batch-lists.ts) runs as it is, outputs whole: no copies.
      if (t.dims.length === 1 || group.length === 1) feeds[name] = new ort.Tensor(t.type as 'int64', t.data as BigInt64Array, [...t.dims]);
      else if (t.type === 'int64') feeds[name] = new ort.Tensor('int64', stack(group.map((p) => p.feeds[name]!.data as BigInt64Array), (n) => new BigInt64Array(n)), [group.length, ...t.dims.slice(1)]);
      else feeds[name] = new ort.Tensor('float32', stack(group.map((p) => p.feeds[name]!.data as Float32Array), (n) => new Float32Array(n)), [group.length, ...t.dims.slice(1)]);
    }
    const out = await session.run(feeds);
    if (group.length === 1) {
      const whole: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(out)) whole[name] = { type: t.type as 'int64', dims: [...t.dims], data: t.data as BigInt64Array };
      group[0]!.resolve(whole);
      return;
    }
    group.forEach((p, row) => {
      const mine: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(out)) {
        const width = t.dims.slice(1).reduce((a, b) => a * b, 1);
        const data = t.data as BigInt64Array | Float32Array;
        mine[name] = { type: t.type as 'int64', dims: [1, ...t.dims.slice(1)], data: data.slice(row * width, (row + 1) * width) as BigInt64Array };
      }
      p.resolve(mine);
    });
  };

  const flush = (): void => {
    scheduled = false;
    const all = queue;
    queue = [];
    // Rows stack only with the same scalar inputs (k) and row widths.
    const groups = new Map<string, Pending[]>();
    for (const [i, p] of all.entries()) {
      // A caller's own batch (first dimension over 1) runs alone.
      const own = names.some((n) => { const d = p.feeds[n]?.dims; return d !== undefined && d.length > 1 && d[0] !== 1; });
      const key = own ? `own ${i}` : names.map((n) => {
        const t = p.feeds[n];
        return t === undefined ? '-' : t.dims.length === 1 ? String(t.data[0]) : t.dims.join('x');
      }).join('|');
      let g = groups.get(key);
      if (g === undefined) groups.set(key, (g = []));
      g.push(p);
    }
    for (const g of groups.values()) {
      const biasRow = Math.max(1, ...names.map((n) => g[0]!.feeds[n]?.data.length ?? 1));
      const cap = Math.max(1, Math.min(maxBatch, Math.floor(4_000_000 / biasRow)));
      for (let i = 0; i < g.length; i += cap) {
        const part = g.slice(i, i + cap);
        runGroup(part).catch((e: unknown) => part.forEach((p) => p.reject(e)));
      }
    }
  };

  return {
    run(feeds) {
      return new Promise((resolve, reject) => {
        queue.push({ feeds, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    async dispose() {
      await session.release();
    },
  };
}

/** An engine over onnxruntime in Node; checks the model's SHA-256 like the page's engine. */
export async function nodeEngine(options: NodeEngineOptions): Promise<NodeEngine> {
  const runtime = options.runtime;
  const ort = await loadOrt(runtime);
  const maxBatch = options.maxBatch ?? 256;
  return {
    runtime,
    async load(source) {
      const bytes = await options.read(source.url);
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (source.sha256 !== undefined && source.sha256 !== sha) {
        throw new InpageError('INTEGRITY_MISMATCH', `${source.url} does not match the SHA-256 in its manifest (expected ${source.sha256}, got ${sha}); re-copy the package.`, { url: source.url });
      }
      const session = await ort.InferenceSession.create(bytes, runtime === 'node'
        ? ({ intraOpNumThreads: 1, interOpNumThreads: 1 } as never)
        : { executionProviders: ['wasm'] });
      return batchedModel(ort, session, maxBatch);
    },
  };
}
