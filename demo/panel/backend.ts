/** Panel: which backend runs the model and why, from `engine.info()` and the model handle. */
import type { BackendMeasurement, EngineInfo, Model } from 'inpage';
import { byId, h, setText } from '../dom.ts';
import { ms } from '../format.ts';
import type { Settings } from '../app/settings.ts';

const NAME = { webgpu: 'WebGPU', wasm: 'WASM', remote: 'remote' } as const;

export function backendLabel(info: EngineInfo, model: Model): string {
  if (model.backend === 'webgpu' && info.adapter !== undefined) {
    const a = info.adapter;
    return `WebGPU · ${a.description || `${a.vendor} ${a.architecture}`.trim()}${a.isFallbackAdapter ? ' (software)' : ''}`;
  }
  if (model.backend === 'wasm') return `WASM · ${info.threads} ${info.threads === 1 ? 'thread' : 'threads'}`;
  return NAME[model.backend];
}

function measuredText(m: BackendMeasurement | undefined, info: EngineInfo, settings: Settings): string {
  if (m !== undefined) {
    const parts = (Object.entries(m.medians) as [keyof typeof NAME, number][]).map(([b, v]) => `${NAME[b]} ${ms(v)}`);
    const how = m.source === 'remembered' ? 'remembered from an earlier visit' : `measured over ${m.runs} runs`;
    return `Measured choice: ${parts.join(' vs ')} per run (median, ${how}) → ${NAME[m.chosen]}.`;
  }
  if (settings.backend !== 'auto') return `Measured choice: skipped, the backend is forced to ${NAME[settings.backend]}.`;
  if (!info.webgpu) return 'Measured choice: not needed, WASM is the only backend on this device.';
  return 'Measured choice: none recorded for this model.';
}

export function showBackend(info: EngineInfo, model: Model, settings: Settings): void {
  setText(byId('backend-name'), backendLabel(info, model));
  setText(byId('glance-backend'), NAME[model.backend]);
  setText(byId('backend-why'), info.reason);
  const facts: [string, string][] = [
    ['WebGPU', info.adapter !== undefined ? `${info.adapter.vendor || 'adapter'} ${info.adapter.architecture}`.trim() : info.webgpu ? 'available' : 'not available'],
    ['WASM threads', `${info.threads}${info.crossOriginIsolated ? ' (cross-origin isolated)' : ' (page not cross-origin isolated)'}`],
    ['WASM SIMD', info.simd ? 'yes' : 'no'],
    ['onnxruntime-web', info.ortVersion],
  ];
  byId('backend-facts').replaceChildren(...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  const mine = info.measurements.filter((m) => model.sha256.startsWith(m.model)).at(-1);
  setText(byId('backend-measured'), measuredText(mine, info, settings));
}

export function showBackendError(message: string): void {
  setText(byId('backend-name'), 'Not running');
  setText(byId('glance-backend'), 'not running');
  setText(byId('backend-why'), message);
}
