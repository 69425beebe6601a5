// The engine demo: loads the bundled MLP, shows the backend and why, load progress, run timings.
import { createEngine, InpageError, type Tensors } from 'inpage';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function showInfo(rows: Record<string, string>): void {
  const dl = $('info');
  dl.replaceChildren();
  for (const [k, v] of Object.entries(rows)) {
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = v;
    dl.append(dt, dd);
  }
}

function randomInput(): Tensors {
  const data = new Float32Array(64);
  for (let i = 0; i < data.length; i++) data[i] = Math.random() * 2 - 1;
  return { x: { type: 'float32', dims: [1, 64], data } };
}

async function main(): Promise<void> {
  const backend = (new URLSearchParams(location.search).get('backend') ?? 'auto') as 'auto' | 'webgpu' | 'wasm';
  const engine = await createEngine({ backend });
  const info = await engine.info();
  showInfo({
    backend: info.backend, why: info.reason, adapter: info.adapter ? `${info.adapter.vendor} ${info.adapter.architecture}` : 'none',
    threads: String(info.threads), 'cross-origin isolated': String(info.crossOriginIsolated), onnxruntime: info.ortVersion,
  });
  const bar = $<HTMLProgressElement>('progress');
  const t0 = performance.now();
  const model = await engine.load({ url: './models/mlp.onnx' }, {
    onProgress: (p) => {
      if (p.total) { bar.max = p.total; bar.value = p.loaded; }
      $('load-status').textContent = `${p.phase}: ${p.loaded} bytes`;
    },
  });
  $('load-status').textContent = `ready in ${(performance.now() - t0).toFixed(0)} ms (${model.bytes} bytes, on ${model.backend})`;
  const button = $<HTMLButtonElement>('run');
  button.disabled = false;
  const run = async (): Promise<void> => {
    button.disabled = true;
    const times: number[] = [];
    let last: Tensors = {};
    for (let i = 0; i < 100; i++) {
      const s = performance.now();
      last = await model.run(randomInput());
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    $('timings').textContent = `100 runs: p50 ${times[50]!.toFixed(2)} ms, p95 ${times[95]!.toFixed(2)} ms (round trip page → worker → page)`;
    const probs = last['probs']!.data as Float32Array;
    $('output').querySelector('tbody')!.replaceChildren(...Array.from(probs, (p, i) => {
      const tr = document.createElement('tr');
      tr.innerHTML = `<td>class ${i}</td><td>${p.toFixed(4)}</td><td><span class="bar" style="width:${(p * 200).toFixed(0)}px"></span></td>`;
      return tr;
    }));
    button.disabled = false;
  };
  button.addEventListener('click', () => { void run(); });
  await run();
}

main().catch((e: unknown) => {
  const msg = e instanceof InpageError ? `${e.code}: ${e.message}` : String(e);
  $('load-status').textContent = msg;
  console.error(e);
});
