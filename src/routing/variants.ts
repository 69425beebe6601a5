/**
 * Model routing: a model may come in variants (precision, size), each with requirements. The
 * router picks the first variant, in the caller's order of preference, that this device meets,
 * and says why the ones before it were skipped.
 */
import { InpageError } from '../errors.ts';
import type { BackendName, ModelVariant } from '../types.ts';

export type { ModelVariant };

/** Device facts the router needs. */
export interface RouteFacts {
  webgpu: boolean;
  features: readonly string[];
  /** GiB, or undefined when the browser does not say. */
  deviceMemoryGB: number | undefined;
}

/** The routing decision. */
export interface Route {
  /** Eligible variants in preference order (the first is loaded; later ones back up a latency budget). */
  eligible: ModelVariant[];
  skipped: { label: string; reason: string }[];
  backend: (v: ModelVariant) => BackendName | undefined;
}

/** Why `v` cannot run here, or null. */
export function variantBlocker(v: ModelVariant, facts: RouteFacts): string | null {
  const r = v.requires ?? {};
  if ((r.webgpu || r.shaderF16) && !facts.webgpu) return 'needs WebGPU, this device has no adapter';
  if (r.shaderF16 && !facts.features.includes('shader-f16')) return "needs the adapter feature 'shader-f16', which this adapter lacks";
  if (r.minMemoryGB !== undefined && facts.deviceMemoryGB !== undefined && facts.deviceMemoryGB < r.minMemoryGB) {
    return `needs ${r.minMemoryGB} GB of device memory, this device reports ${facts.deviceMemoryGB} GB`;
  }
  return null;
}

/** Route `variants` on a device. Throws `BACKEND_UNAVAILABLE` when none is eligible. */
export function routeVariants(variants: readonly ModelVariant[], facts: RouteFacts): Route {
  if (variants.length === 0) throw new InpageError('OPTION_INVALID', 'variants is empty; give at least one { label, url | bytes }.');
  const eligible: ModelVariant[] = [];
  const skipped: Route['skipped'] = [];
  for (const v of variants) {
    if (!v.url && !v.bytes) throw new InpageError('OPTION_INVALID', `Variant '${v.label}' has neither url nor bytes.`);
    const why = variantBlocker(v, facts);
    if (why === null) eligible.push(v); else skipped.push({ label: v.label, reason: why });
  }
  if (eligible.length === 0) {
    throw new InpageError('BACKEND_UNAVAILABLE', `No variant can run on this device: ${skipped.map((s) => `${s.label}: ${s.reason}`).join('; ')}.`, { skipped: skipped.map((s) => s.label) });
  }
  return { eligible, skipped, backend: (v) => (v.requires?.webgpu || v.requires?.shaderF16 ? 'webgpu' : undefined) };
}

/** One line on the decision, for `model.route.reason`. */
export function describeRoute(chosen: ModelVariant, skipped: Route['skipped'], overBudget: { label: string; medianMs: number; budgetMs: number }[]): string {
  const parts = [`variant '${chosen.label}'`];
  for (const s of skipped) parts.push(`skipped '${s.label}' (${s.reason})`);
  for (const o of overBudget) parts.push(`skipped '${o.label}' (median ${o.medianMs.toFixed(2)} ms over its ${o.budgetMs} ms budget)`);
  return parts.join('; ');
}
