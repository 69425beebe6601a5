// The baseline for streaming generation: transformers.js called directly in a worker, each token
// posted to the page as it is produced (a bare postMessage per token: no engine, no executor,
// no validation, no stream bookkeeping). Same model, same ORT build, one thread.
//
// Same ORT build: transformers.js imports `onnxruntime-web/webgpu` (the JSEP build) unless a runtime
// sits under globalThis[Symbol.for('onnxruntime')]; the engine runs the CPU-only
// `onnxruntime-web/wasm` build on the WASM backend, so this worker puts that same build there
// before importing transformers.js (as src/backends/transformers.ts does). With the symbol set,
// transformers.js registers no devices: the execution provider goes in session_options.
import * as ort from 'onnxruntime-web/wasm';

(globalThis as Record<symbol, unknown>)[Symbol.for('onnxruntime')] = ort;
// Imported after the symbol is set (a static import would run first); no top-level await, so the
// message handler is installed at once.
const tf = import('@huggingface/transformers');

type Msg = { type: 'load'; model: string; host: string } | { type: 'generate'; prompt: string; tokens: number };
let gen: unknown;

self.onmessage = (e: MessageEvent<Msg>) => {
  // Any failure reaches the page (it waits for a reply, and a silent worker would hang the bench).
  handle(e.data).catch((err: unknown) => self.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
};

async function handle(msg: Msg): Promise<void> {
  const { env, pipeline, Tensor, DynamicCache } = await tf;
  if (msg.type === 'load') {
    env.allowLocalModels = false;
    env.useBrowserCache = false;
    env.remoteHost = msg.host;
    env.remotePathTemplate = '{model}/';
    delete (env.backends.onnx as { wasm: { wasmPaths?: unknown } }).wasm.wasmPaths;
    (env.backends.onnx as { wasm: { numThreads?: number } }).wasm.numThreads = 1;
    gen = await pipeline('text-generation', msg.model, { device: 'auto', dtype: 'fp32', session_options: { executionProviders: ['wasm'] } } as Parameters<typeof pipeline>[2]);
    // Proof that transformers.js took the runtime under the symbol: its env.backends.onnx is a
    // shallow copy of that runtime's env, so they share the `wasm` settings object.
    if ((env.backends.onnx as { wasm?: unknown }).wasm !== ort.env.wasm) throw new Error('transformers.js did not use the onnxruntime-web/wasm build put under Symbol.for(\'onnxruntime\')');
    self.postMessage({ type: 'loaded' });
    return;
  }
  const p = gen as unknown as { tokenizer: { encode(t: string): number[]; decode(ids: number[], o: object): string }; model: { generate(a: object): Promise<unknown> } };
  const ids = p.tokenizer.encode(msg.prompt);
  let first = true;
  const out: number[] = [];
  // The same generate() call the engine makes (src/backends/transformers-generation.ts): a
  // DynamicCache for the keys/values, the text re-decoded per token; only the engine is missing.
  const cache = new DynamicCache();
  await p.model.generate({
    past_key_values: cache,
    input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
    attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
    max_new_tokens: msg.tokens, do_sample: false,
    streamer: {
      put(v: bigint[][]) {
        if (first) { first = false; return; }
        const t = Number(v[0]![0]);
        out.push(t);
        self.postMessage({ type: 'chunk', text: p.tokenizer.decode(out, { skip_special_tokens: true }), tokens: [t] });
      },
      end() {},
    },
  });
  await cache.dispose();
  self.postMessage({ type: 'done', tokens: out.length });
}
