/**
 * Price tables for the cost meter: what the same work would cost on a hosted API. Prices are
 * examples to reproduce the product brief's figures, not quotes; pass your provider's table.
 *
 * @example
 * const mine: Pricing = { name: 'my provider', perMillionInputTokens: 0.2, perMillionOutputTokens: 0.8 };
 */
export interface Pricing {
  name: string;
  /** Dollars per 1,000 requests (APIs billed per call). */
  perThousandRequests?: number;
  /** Dollars per 1,000,000 input (prompt) tokens. */
  perMillionInputTokens?: number;
  /** Dollars per 1,000,000 output (completion) tokens. */
  perMillionOutputTokens?: number;
  /** Input tokens of a typical request, used when usage gives no token counts. */
  typicalInputTokens?: number;
  /** Output tokens of a typical request, used when usage gives no token counts. */
  typicalOutputTokens?: number;
  note?: string;
}

/**
 * A typical personalisation request sent to a hosted LLM: ~700 input tokens (instructions,
 * a short visitor profile and recent events, a dozen candidate items with titles) and ~100
 * output tokens (a ranked list of ids with a one-line reason). Assumed, not measured.
 */
export const TYPICAL_PERSONALISATION_REQUEST = { inputTokens: 700, outputTokens: 100 } as const;

const typical = {
  typicalInputTokens: TYPICAL_PERSONALISATION_REQUEST.inputTokens,
  typicalOutputTokens: TYPICAL_PERSONALISATION_REQUEST.outputTokens,
};

/**
 * Worked examples. Per request: 700 × in/1e6 + 100 × out/1e6 dollars, so at 10,000 requests a day
 *   cheap:    (700 × 0.14 + 100 × 0.42) / 1e6 × 10,000 = (98 + 42) / 100      = $1.40 a day
 *   frontier: (700 × 15   + 100 × 45  ) / 1e6 × 10,000 = (10,500 + 4,500) / 100 = $150 a day
 *   hosted recommendations: 10,000 / 1,000 × $0.50                            = $5 a day
 * Both token tiers use a 3:1 output:input price ratio, round numbers near 2025–26 list prices
 * of small hosted models and of frontier ones.
 *
 * @example
 * projectDaily(10_000, PRICING_EXAMPLES).map((e) => e.dollars); // [1.4, 150, 5]
 */
export const PRICING_EXAMPLES: readonly Pricing[] = Object.freeze([
  Object.freeze({ name: 'cheap hosted LLM', perMillionInputTokens: 0.14, perMillionOutputTokens: 0.42, ...typical, note: 'small hosted model, ~700 in + ~100 out tokens per request' }),
  Object.freeze({ name: 'frontier hosted LLM', perMillionInputTokens: 15, perMillionOutputTokens: 45, ...typical, note: 'frontier model, ~700 in + ~100 out tokens per request' }),
  Object.freeze({ name: 'hosted recommendation API', perThousandRequests: 0.5, note: 'billed per prediction request, no tokens' }),
]);
