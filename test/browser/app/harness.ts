/**
 * Browser test harness: exposes the SDK (from source, built by Vite exactly as a consumer's
 * bundler would) and helpers that turn tensors into JSON-safe values for Playwright.
 */
import * as inpage from '../../../src/index.ts';
import { defineAssistantElement } from '../../../src/embed/assistant-element.ts';
import { defineRecommendationsElement } from '../../../src/embed/element.ts';
import type { Tensor, TensorType, Tensors } from '../../../src/index.ts';
import { encodeTensor, decodeTensors, type PlainTensor } from '../plain.ts';

function errorOf(e: unknown): { name: string; code?: string; message: string; isInpageError: boolean; details?: unknown } {
  if (e instanceof inpage.InpageError) return { name: e.name, code: e.code, message: e.message, isInpageError: true, details: e.details };
  return { name: e instanceof Error ? e.name : typeof e, message: e instanceof Error ? e.message : String(e), isInpageError: false };
}

const harness = {
  toTensors: (plain: Record<string, PlainTensor>): Tensors => Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, encodeTensor(v)])),
  fromTensors: (t: Tensors): Record<string, PlainTensor> => decodeTensors(t),
  errorOf,
  /** The assistant element (the embed entry is not part of the main package entry). */
  defineAssistantElement,
  /** The recommendations element (merchandising attributes are tested on it). */
  defineRecommendationsElement,
  /** Run `fn`, resolving with `{ ok, value | error }` so Playwright sees typed errors. */
  async settle<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: ReturnType<typeof errorOf> }> {
    try { return { ok: true, value: await fn() }; } catch (e) { return { ok: false, error: errorOf(e) }; }
  },
};

declare global {
  interface Window { inpage: typeof inpage; harness: typeof harness }
}
export type { Tensor, TensorType };
window.inpage = inpage;
window.harness = harness;
document.getElementById('status')!.textContent = 'harness ready';
