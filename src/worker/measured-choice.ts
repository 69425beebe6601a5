/**
 * Under `'auto'` on a device with WebGPU: keep whichever backend runs this model faster here,
 * measured once and remembered per (model, adapter, threads). Every step (the WASM build, each
 * timed run) is its own executor job in the load's lane, so runs of other models slip in between.
 */
import { wasmBackend } from '../backends/onnx.ts';
import type { Lane } from '../backends/ort-runtime.ts';
import type { SessionHandle } from '../backends/types.ts';
import { toInpageError } from '../errors.ts';
import { measureSessions, pickFaster, verdictKey, type BackendMeasurement } from '../routing/measure.ts';
import type { VerdictStore } from '../routing/verdict-store.ts';
import type { BackendName } from '../types.ts';
import type { HostState } from './state.ts';
import { syntheticFeeds } from '../synthetic-inputs.ts';

const fmt = (ms: number | undefined): string => (ms === undefined ? 'n/a' : ms < 1 ? `${ms.toFixed(3)} ms` : `${ms.toFixed(1)} ms`);

function describe(m: BackendMeasurement): string {
  const other: BackendName = m.chosen === 'wasm' ? 'webgpu' : 'wasm';
  const how = m.source === 'remembered' ? 'remembered from an earlier visit' : `measured, median of ${m.runs} runs`;
  return `auto: ${m.chosen} ${fmt(m.medians[m.chosen])} vs ${other} ${fmt(m.medians[other])} per run for model ${m.model} (${how}); keeping ${m.chosen}`;
}

/**
 * A verdict from an earlier visit that says WASM wins, if any: then the WebGPU session need not
 * be built at all (building it costs seconds of shader compilation on a repeat visit).
 */
export async function rememberedWasm(s: HostState, sha256: string, verdicts: VerdictStore): Promise<BackendMeasurement | undefined> {
  if (!sha256) return undefined;
  const v = await verdicts.get(verdictKey(sha256, s.caps.adapter, s.threads));
  return v?.chosen === 'wasm' ? v : undefined;
}

/** Record that a remembered verdict was applied. */
export function applyRemembered(s: HostState, v: BackendMeasurement): void {
  const m: BackendMeasurement = { ...v, source: 'remembered', at: Date.now() };
  s.measurements.push(m);
  s.setBackend(m.chosen, describe(m));
}

/**
 * Given a session built on WebGPU, return the session to keep (possibly a new WASM one; the
 * loser is released) and record the verdict.
 */
export async function chooseMeasured(s: HostState, gpu: SessionHandle, bytes: Uint8Array, sha256: string, verdicts: VerdictStore, lane: Lane): Promise<SessionHandle> {
  const feeds = (): ReturnType<typeof syntheticFeeds> => syntheticFeeds(gpu.inputs);
  if (!feeds()) return gpu;
  const key = sha256 ? verdictKey(sha256, s.caps.adapter, s.threads) : undefined;
  const remembered = key ? await verdicts.get(key) : undefined;
  if (remembered) {
    const m: BackendMeasurement = { ...remembered, source: 'remembered', at: Date.now() };
    s.measurements.push(m);
    if (m.chosen === 'webgpu') { s.setBackend('webgpu', describe(m)); return gpu; }
    const cpu = await wasmBackend.create(bytes, s.ctx, lane);
    await gpu.release().catch(() => {});
    s.setBackend('wasm', describe(m));
    return cpu;
  }
  let cpu: SessionHandle;
  try {
    cpu = await wasmBackend.create(bytes, s.ctx, lane);
  } catch (e) {
    if (toInpageError(e, 'MODEL_INVALID').code === 'ABORTED') { await gpu.release().catch(() => {}); throw e; }
    return gpu; // WASM cannot build it: nothing to compare against.
  }
  let medians: Partial<Record<BackendName, number>>;
  let runs: number;
  try {
    ({ medians, runs } = await measureSessions(gpu, cpu, () => feeds()!, { lane }));
  } catch (e) {
    if (toInpageError(e, 'RUN_FAILED').code === 'ABORTED') {
      await Promise.all([gpu.release().catch(() => {}), cpu.release().catch(() => {})]);
      throw e;
    }
    // One side cannot run it at all (e.g. a float16 kernel on an adapter without shader-f16).
    const gpuWorks = await gpu.run(feeds()!, lane).then(() => true, () => false);
    const keep = gpuWorks ? gpu : cpu;
    await (gpuWorks ? cpu : gpu).release().catch(() => {});
    s.setBackend(keep.backend, `auto: ${gpuWorks ? 'wasm' : 'webgpu'} could not run the model while measuring (${toInpageError(e, 'RUN_FAILED').message}); keeping ${keep.backend}`);
    return keep;
  }
  const chosen = pickFaster(medians, 'webgpu');
  const m: BackendMeasurement = { model: sha256.slice(0, 12), medians, runs, chosen, source: 'measured', at: Date.now() };
  s.measurements.push(m);
  if (key) await verdicts.set(key, m);
  await (chosen === 'webgpu' ? cpu : gpu).release().catch(() => {});
  s.setBackend(chosen, describe(m));
  return chosen === 'webgpu' ? gpu : cpu;
}
