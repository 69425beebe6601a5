/**
 * Loading a model given as variants: route on the device's facts, then enforce each variant's
 * latency budget by timing a few runs, moving to the next eligible variant when over budget.
 */
import { InpageError } from '../errors.ts';
import { describeRoute, routeVariants, type ModelVariant } from '../routing/variants.ts';
import { syntheticFeeds } from '../synthetic-inputs.ts';
import type { EngineInfo, LoadOptions, ModelSource } from '../types.ts';
import type { ModelHandle } from './model.ts';

const BUDGET_RUNS = 5;

export async function loadRouted(
  engine: { info(): Promise<EngineInfo> },
  variants: readonly ModelVariant[],
  opts: LoadOptions,
  loadOne: (s: ModelSource, o: LoadOptions) => Promise<ModelHandle>,
): Promise<ModelHandle> {
  const info = await engine.info();
  const nav = globalThis.navigator as (Navigator & { deviceMemory?: number }) | undefined;
  const route = routeVariants(variants, { webgpu: info.webgpu, features: info.adapter?.features ?? [], deviceMemoryGB: nav?.deviceMemory });
  const overBudget: { label: string; medianMs: number; budgetMs: number }[] = [];
  let lastError: unknown;
  for (const [i, v] of route.eligible.entries()) {
    const source: ModelSource = v.url !== undefined ? { url: v.url } : { bytes: v.bytes! };
    if (v.sha256 !== undefined) source.sha256 = v.sha256;
    const backend = route.backend(v) ?? opts.backend;
    let model: ModelHandle;
    try {
      model = await loadOne(source, backend === undefined ? opts : { ...opts, backend });
    } catch (e) {
      lastError = e;
      continue;
    }
    const isLast = i === route.eligible.length - 1;
    if (v.latencyBudgetMs !== undefined && !isLast) {
      const median = await medianRunMs(model);
      if (median !== undefined && median > v.latencyBudgetMs) {
        overBudget.push({ label: v.label, medianMs: median, budgetMs: v.latencyBudgetMs });
        await model.dispose();
        continue;
      }
    }
    model.route = { variant: v.label, reason: describeRoute(v, route.skipped, overBudget) };
    return model;
  }
  throw lastError instanceof InpageError ? lastError : new InpageError('BACKEND_UNAVAILABLE', `No variant could be loaded: ${String(lastError)}`);
}

async function medianRunMs(model: ModelHandle): Promise<number | undefined> {
  const times: number[] = [];
  for (let i = 0; i < BUDGET_RUNS; i++) {
    const feeds = syntheticFeeds(model.inputs);
    if (!feeds) return undefined;
    const t0 = performance.now();
    await model.run(feeds, { cache: false });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[BUDGET_RUNS >> 1];
}
