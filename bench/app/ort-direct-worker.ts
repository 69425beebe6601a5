// The baseline Inpage is compared against: the same ORT session called directly inside a
// worker with a bare postMessage protocol (no validation, batching, errors or crash handling).
// Messages are handled one at a time in arrival order, as a hand-written worker must (ORT
// refuses overlapping runs on one session).
import * as ort from 'onnxruntime-web/wasm';

let session: ort.InferenceSession | undefined;
let chain: Promise<void> = Promise.resolve();
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

type Msg = { id: number; type: 'load'; bytes: Uint8Array } | { id: number; type: 'run'; data: Float32Array; dims: number[] };

async function handle(msg: Msg): Promise<void> {
  if (msg.type === 'load') {
    session = await ort.InferenceSession.create(msg.bytes);
    self.postMessage({ id: msg.id });
    return;
  }
  const name = session!.inputNames[0]!;
  const out = await session!.run({ [name]: new ort.Tensor('float32', msg.data, msg.dims) });
  const first = out[session!.outputNames[0]!]!.data as Float32Array;
  (self as unknown as Worker).postMessage({ id: msg.id, data: first }, [first.buffer]);
}

self.onmessage = (e: MessageEvent<Msg>) => {
  chain = chain.then(() => handle(e.data));
};
