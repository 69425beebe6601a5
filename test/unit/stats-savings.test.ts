/**
 * Cost meter maths: the brief's figures ($1.40 and $150 a day for 10,000 personalisations),
 * per-request pricing, given vs assumed tokens, validation.
 */
import { describe, expect, it } from 'vitest';
import { PRICING_EXAMPLES, TYPICAL_PERSONALISATION_REQUEST, type Pricing } from '../../src/stats/pricing.ts';
import { estimateSavings, projectDaily } from '../../src/stats/savings.ts';

const byName = (name: string): Pricing => PRICING_EXAMPLES.find((p) => p.name === name)!;

describe('pricing examples', () => {
  it('reproduce ≈ $1.40/day (cheap) and ≈ $150/day (frontier) for 10,000 inferences a day', () => {
    const [cheap, frontier, reco] = projectDaily(10_000, PRICING_EXAMPLES);
    expect(cheap).toMatchObject({ pricing: 'cheap hosted LLM', dollars: 1.4, inputTokens: 7_000_000, outputTokens: 1_000_000, assumedTokens: true });
    expect(frontier).toMatchObject({ pricing: 'frontier hosted LLM', dollars: 150 });
    expect(frontier!.perRequest).toBeCloseTo(0.015, 12);
    expect(reco).toMatchObject({ pricing: 'hosted recommendation API', dollars: 5, perRequest: 0.0005, assumedTokens: false });
  });

  it('are frozen and state the typical request size', () => {
    expect(Object.isFrozen(PRICING_EXAMPLES)).toBe(true);
    expect(Object.isFrozen(PRICING_EXAMPLES[0])).toBe(true);
    expect(TYPICAL_PERSONALISATION_REQUEST).toEqual({ inputTokens: 700, outputTokens: 100 });
    expect(byName('cheap hosted LLM').typicalInputTokens).toBe(700);
  });
});

describe('estimateSavings', () => {
  it('uses given token totals instead of the typical size', () => {
    const [e] = estimateSavings({ requests: 10, inputTokens: 2_000_000, outputTokens: 0 }, byName('frontier hosted LLM'));
    expect(e).toMatchObject({ dollars: 30, perRequest: 3, inputTokens: 2_000_000, outputTokens: 0, assumedTokens: false });
  });

  it('fills only the missing token count from the typical size', () => {
    const [e] = estimateSavings({ requests: 1000, inputTokens: 1_000_000 }, byName('cheap hosted LLM'));
    // 1e6 × 0.14/1e6 + (1000 × 100) × 0.42/1e6 = 0.14 + 0.042
    expect(e).toMatchObject({ dollars: 0.182, outputTokens: 100_000, assumedTokens: true });
  });

  it('adds per-request and per-token prices, and handles zero requests', () => {
    const mixed: Pricing = { name: 'mixed', perThousandRequests: 2, perMillionInputTokens: 1, typicalInputTokens: 1000 };
    expect(estimateSavings({ requests: 500 }, mixed)[0]!.dollars).toBe(1.5); // 1 + 0.5
    expect(estimateSavings({ requests: 0 }, mixed)[0]).toMatchObject({ dollars: 0, perRequest: 0 });
    expect(estimateSavings({ requests: 3 }, [])).toEqual([]);
  });

  it('rejects negative or non-finite counts', () => {
    expect(() => estimateSavings({ requests: -1 }, PRICING_EXAMPLES)).toThrow(/requests/);
    expect(() => estimateSavings({ requests: 1, inputTokens: Number.NaN }, PRICING_EXAMPLES)).toThrow(/inputTokens/);
  });
});
