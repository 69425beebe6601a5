/**
 * Pure parts of the assistant: the grounding check of generated answers, the page splitter of the
 * knowledge builder, and the knowledge index's keyword half and abstention rule.
 */
import { describe, expect, it } from 'vitest';
import { checkGrounding } from '../../src/assistant/grounding.ts';
import { KnowledgeIndex } from '../../src/assistant/retrieve.ts';
import { htmlText, pagePassages } from '../../tools/knowledge/pages.ts';
import { DEFAULT_RETRIEVAL } from '../../tools/knowledge/build.ts';

const SOURCES = ['Standard delivery is free on orders over €50; below that it costs €4.95.', 'You can return unused items within 30 days.'];

describe('grounding check', () => {
  it('keeps answers whose numbers all come from the sources', () => {
    expect(checkGrounding('Delivery costs €4.95, free over €50.', SOURCES, false)).toEqual({ ok: true });
    expect(checkGrounding('Returns: 30 days.', SOURCES, false).ok).toBe(true);
    expect(checkGrounding('Delivery costs 4,95 euros.', SOURCES, false).ok).toBe(true);
  });
  it('refuses invented numbers, stock claims without products, and empty answers', () => {
    expect(checkGrounding('You have 60 days to return it.', SOURCES, false)).toMatchObject({ ok: false, reason: expect.stringMatching(/"60"/) });
    expect(checkGrounding('Delivery costs €3.95.', SOURCES, false).ok).toBe(false);
    expect(checkGrounding('That tent is in stock.', SOURCES, false).ok).toBe(false);
    expect(checkGrounding('That tent is in stock.', SOURCES, true).ok).toBe(true);
    expect(checkGrounding('   ', SOURCES, false).ok).toBe(false);
  });
});

describe('knowledge pages', () => {
  it('splits Markdown and HTML pages into section passages with anchors', () => {
    const md = pagePassages('returns', '# Returns\n\n## Return period\n\nYou can return **unused** items within [30 days](#x).\n\n## Refunds\n\n- Money back in 5 days.\n', 'md', '/help/returns');
    expect(md).toEqual([
      { id: 'returns#return-period', kind: 'passage', title: 'Returns', heading: 'Return period', text: 'You can return unused items within 30 days.', url: '/help/returns#return-period' },
      { id: 'returns#refunds', kind: 'passage', title: 'Returns', heading: 'Refunds', text: 'Money back in 5 days.', url: '/help/returns#refunds' },
    ]);
    const html = pagePassages('ship', '<html><head><title>x</title></head><body><h1>Shipping &amp; delivery</h1><h2>Costs</h2><p>Free over &euro;50 <b>always</b>.</p><script>evil()</script></body></html>', 'html', '/help/ship');
    expect(html).toHaveLength(1);
    // A page with one section links to the page itself.
    expect(html[0]).toMatchObject({ id: 'ship#costs', title: 'Shipping & delivery', heading: 'Costs', url: '/help/ship' });
    expect(html[0]!.text).toBe('Free over €50 always .');
    expect(htmlText('a &#x41; &#66; &lt;b&gt;')).toBe('a A B <b>');
  });
});

describe('knowledge index', () => {
  const docs = pagePassages('help', '# Help\n\n## Return period\n\nReturn unused items within 30 days for a refund.\n\n## Delivery costs\n\nStandard delivery costs 4.95 and is free over 50.\n', 'md', '/h');
  // Vectors: passage 0 points along dim 0, passage 1 along dim 1.
  const index = new KnowledgeIndex(docs, Float32Array.of(1, 0, 0, 1), 2, { ...DEFAULT_RETRIEVAL });
  it('ranks by keywords (stemmed), by the encoder, and fuses both', () => {
    expect(index.keyword('returning my items').map((h) => h.index)[0]).toBe(0);
    expect(index.encoder(Float32Array.of(0.1, 0.99)).map((h) => h.index)).toEqual([1, 0]);
    expect(index.rank('delivery price', Float32Array.of(0, 1), 'hybrid')[0]!.index).toBe(1);
  });
  it('abstains without evidence: low cosine and low term coverage', () => {
    const yes = index.retrieve('how much does delivery cost', Float32Array.of(0, 1));
    expect(yes.abstain).toBe(false);
    const no = index.retrieve('weather in paris tomorrow', Float32Array.of(0.6, 0.6));
    expect(no.abstain).toBe(true);
    expect(index.retrieve('xyzzy', undefined).abstain).toBe(true);
  });
});
