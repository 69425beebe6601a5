// The baseline for streaming generation: transformers.js called directly in a worker, each token
// posted to the page as it is produced (a bare postMessage per token: no engine, no executor,
// no validation, no stream bookkeeping). Same model, same ORT build, one thread.
import { env, pipeline } from '@huggingface/transformers';

type Msg = { type: 'load'; model: string; host: string } | { type: 'generate'; prompt: string; tokens: number };
let gen: Awaited<ReturnType<typeof pipeline>> | undefined;

self.onmessage = async (e: MessageEvent<Msg>) => {
  const msg = e.data;
  if (msg.type === 'load') {
    env.allowLocalModels = false;
    env.useBrowserCache = false;
    env.remoteHost = msg.host;
    env.remotePathTemplate = '{model}/';
    delete (env.backends.onnx as { wasm: { wasmPaths?: unknown } }).wasm.wasmPaths;
    (env.backends.onnx as { wasm: { numThreads?: number } }).wasm.numThreads = 1;
    gen = await pipeline('text-generation', msg.model, { device: 'wasm', dtype: 'fp32' });
    self.postMessage({ type: 'loaded' });
    return;
  }
  const p = gen as unknown as { tokenizer: { encode(t: string): number[]; decode(ids: number[], o: object): string }; model: { generate(a: object): Promise<unknown> } };
  const ids = p.tokenizer.encode(msg.prompt);
  const { Tensor } = await import('@huggingface/transformers');
  let first = true;
  const out: number[] = [];
  await p.model.generate({
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
  self.postMessage({ type: 'done', tokens: out.length });
};
