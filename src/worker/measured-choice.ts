/**
 * The measured backend choice under `'auto'` on a device with WebGPU: which backend runs this
 * model faster here, measured once (in the background, tier-up.ts) and remembered per (model,
 * adapter, threads), so the next visit builds only the winner. This file holds the verdicts and
 * how they are told; tier-up.ts does the measuring.
 */
import { verdictKey, type BackendMeasurement } from '../routing/measure.ts';
import type { VerdictStore } from '../routing/verdict-store.ts';
import type { BackendName } from '../types.ts';
import type { HostState } from './state.ts';

const fmt = (ms: number | undefined): string => (ms === undefined ? 'n/a' : ms < 1 ? `${ms.toFixed(3)} ms` : `${ms.toFixed(1)} ms`);

/** A verdict in words, for `info().reason` and switches. */
export function describeVerdict(m: BackendMeasurement): string {
  const other: BackendName = m.chosen === 'wasm' ? 'webgpu' : 'wasm';
  const how = m.source === 'remembered' ? 'remembered from an earlier visit' : `measured, median of ${m.runs} runs`;
  const action = m.source === 'remembered' ? `running on ${m.chosen}` : m.chosen === 'webgpu' ? 'switching to webgpu (tier-up)' : 'keeping wasm';
  return `auto: ${m.chosen} ${fmt(m.medians[m.chosen])} vs ${other} ${fmt(m.medians[other])} per run for model ${m.model} (${how}); ${action}`;
}

/** The storage key of this model's verdict on this device, or undefined without a hash. */
export function keyOf(s: HostState, sha256: string): string | undefined {
  return sha256 ? verdictKey(sha256, s.caps.adapter, s.threads) : undefined;
}

/**
 * The verdict of an earlier visit for this model on this device, if any: then only the winner
 * is built (building the other costs seconds of shader compilation or a second runtime).
 */
export async function remembered(s: HostState, sha256: string, verdicts: VerdictStore): Promise<BackendMeasurement | undefined> {
  const key = keyOf(s, sha256);
  return key === undefined ? undefined : verdicts.get(key);
}

/** Record that a remembered verdict was applied. */
export function applyRemembered(s: HostState, v: BackendMeasurement): void {
  const m: BackendMeasurement = { ...v, source: 'remembered', at: Date.now() };
  s.measurements.push(m);
  s.setBackend(m.chosen, describeVerdict(m));
}
