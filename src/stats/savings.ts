/**
 * What running locally saved: the hosted cost of the same requests. Pure arithmetic.
 *
 * @example
 * estimateSavings({ requests: 10_000 }, PRICING_EXAMPLES[0]!)[0]!.dollars; // 1.4
 */
import { InpageError } from '../errors.ts';
import type { Pricing } from './pricing.ts';

/** Work done. Token counts are totals over all requests; absent ones use the pricing's typical size. */
export interface Usage {
  requests: number;
  inputTokens?: number;
  outputTokens?: number;
}

/** The hosted cost of `usage` under one price table. */
export interface SavingsEstimate {
  /** `Pricing.name`. */
  pricing: string;
  /** Total dollars, rounded to 1e-9 to hide floating-point dust (0.1 + 0.2). */
  dollars: number;
  /** Dollars per request; 0 when there were none. */
  perRequest: number;
  /** Tokens the estimate used (given, or requests × typical). */
  inputTokens: number;
  outputTokens: number;
  /** True when some token count came from the pricing's typical request size. */
  assumedTokens: boolean;
}

function count(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isFinite(v) || v < 0) throw new InpageError('OPTION_INVALID', `Savings: ${name} must be a finite number ≥ 0, got ${String(v)}.`);
  return v;
}

const round = (x: number): number => Math.round(x * 1e9) / 1e9;

function one(usage: Usage, p: Pricing): SavingsEstimate {
  const requests = count('requests', usage.requests) ?? 0;
  const givenIn = count('inputTokens', usage.inputTokens);
  const givenOut = count('outputTokens', usage.outputTokens);
  const inputTokens = givenIn ?? requests * (p.typicalInputTokens ?? 0);
  const outputTokens = givenOut ?? requests * (p.typicalOutputTokens ?? 0);
  const dollars = (requests / 1e3) * (p.perThousandRequests ?? 0)
    + (inputTokens / 1e6) * (p.perMillionInputTokens ?? 0)
    + (outputTokens / 1e6) * (p.perMillionOutputTokens ?? 0);
  const assumedTokens = (givenIn === undefined && p.perMillionInputTokens !== undefined)
    || (givenOut === undefined && p.perMillionOutputTokens !== undefined);
  return { pricing: p.name, dollars: round(dollars), perRequest: requests > 0 ? round(dollars / requests) : 0, inputTokens, outputTokens, assumedTokens };
}

/**
 * Hosted cost of `usage` under each price table, in the order given.
 *
 * @example
 * estimateSavings({ requests: 500, inputTokens: 400_000, outputTokens: 50_000 }, PRICING_EXAMPLES);
 */
export function estimateSavings(usage: Usage, pricing: Pricing | readonly Pricing[]): SavingsEstimate[] {
  const tables: readonly Pricing[] = Array.isArray(pricing) ? pricing : [pricing as Pricing];
  return tables.map((p) => one(usage, p));
}

/**
 * Hosted cost per day of `requestsPerDay` typical requests under each price table.
 *
 * @example
 * projectDaily(10_000, PRICING_EXAMPLES).map((e) => `${e.pricing}: $${e.dollars.toFixed(2)}/day`);
 * // ['cheap hosted LLM: $1.40/day', 'frontier hosted LLM: $150.00/day', 'hosted recommendation API: $5.00/day']
 */
export function projectDaily(requestsPerDay: number, pricing: Pricing | readonly Pricing[]): SavingsEstimate[] {
  return estimateSavings({ requests: requestsPerDay }, pricing);
}
