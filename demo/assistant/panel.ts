/**
 * "Ask Waypoint": the support assistant in a side panel. It answers from the generated help centre
 * (public/help → public/knowledge) on the shop's own engine, with the quoted passage, a link to the
 * help page and product cards; the numbers show the time to answer and what a hosted chatbot would
 * have cost for the same questions (its tokens at the SDK's example prices).
 */
import { createAssistant, estimateSavings, PRICING_EXAMPLES, type Assistant, type AssistantAnswer, type Engine } from 'inpage';
import { h } from '../dom.ts';
import { dollars } from '../format.ts';

const CSS = `
.ask-button{margin-left:8px;padding:6px 12px;border-radius:999px;border:1px solid currentColor;background:transparent;color:inherit;font:inherit;cursor:pointer}
.ask-panel{position:fixed;right:16px;bottom:16px;width:min(380px,calc(100vw - 32px));max-height:70vh;overflow:auto;z-index:20;background:#fff;color:#1b1b1b;border:1px solid #0002;border-radius:12px;box-shadow:0 8px 32px #0003;padding:12px 16px}
.ask-head{display:flex;justify-content:space-between;align-items:center}.ask-head h2{margin:0;font-size:1.1em}
.ask-form{display:flex;gap:8px;margin:8px 0}.ask-form input{flex:1;min-width:0;padding:6px 8px;font:inherit}
.ask-panel blockquote{margin:8px 0;padding:8px 10px;border-left:3px solid #2f6f4e;background:#2f6f4e12}
.ask-source{font-size:.85em}.ask-products{padding-left:18px;font-size:.9em}
.help{max-width:760px}.help-nav{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:8px}.help-nav [aria-current]{font-weight:700}
`;

/** Mounts the button and the panel; the assistant loads on the first question. */
export function mountAssistant(engine: () => Engine | undefined): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  const button = h('button', { type: 'button', class: 'ask-button', 'aria-expanded': 'false', 'aria-controls': 'ask-panel' }, 'Ask Waypoint');
  const input = h('input', { type: 'search', id: 'ask-input', placeholder: 'Delivery, returns, sizes, care…', autocomplete: 'off', 'aria-label': 'Your question' });
  const answer = h('div', { id: 'ask-answer', 'aria-live': 'polite' });
  const numbers = h('p', { id: 'ask-numbers', class: 'muted small' }, 'Answers are computed in this tab from the shop’s help pages.');
  const form = h('form', { class: 'ask-form' }, input, h('button', { type: 'submit', class: 'btn btn-small' }, 'Ask'));
  const close = h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'aria-label': 'Close' }, '×');
  const panel = h('aside', { id: 'ask-panel', class: 'ask-panel', hidden: true, 'aria-label': 'Ask Waypoint' },
    h('div', { class: 'ask-head' }, h('h2', {}, 'Ask Waypoint'), close), form, answer, numbers);
  document.querySelector('.top-inner')?.append(button);
  document.body.append(panel);
  const toggle = (open: boolean): void => { panel.hidden = !open; button.setAttribute('aria-expanded', String(open)); if (open) input.focus(); };
  button.addEventListener('click', () => toggle(panel.hidden));
  close.addEventListener('click', () => toggle(false));

  let assistant: Promise<Assistant> | undefined;
  const times: number[] = [];
  const usage = { requests: 0, inputTokens: 0, outputTokens: 0 };
  const show = (a: AssistantAnswer): void => {
    const parts: Node[] = [];
    if (a.kind === 'unknown') parts.push(h('p', {}, a.text), h('a', { href: '#/help/contact' }, 'Contact us'));
    else {
      parts.push(h('blockquote', {}, a.quote!.text), h('a', { class: 'ask-source', href: a.quote!.url }, `${a.quote!.title} — ${a.quote!.heading}`));
    }
    if (a.products.length > 0) {
      parts.push(h('ul', { class: 'ask-products' }, ...a.products.map((p) => h('li', {}, h('a', { href: `#/p/${encodeURIComponent(p.id)}` }, p.title), ` · €${p.price.toFixed(2)} · ${p.inStock ? 'in stock' : 'out of stock'}`))));
    }
    answer.replaceChildren(...parts);
    times.push(a.ms);
    usage.requests++;
    usage.inputTokens += a.usageAvoided.inputTokens;
    usage.outputTokens += a.usageAvoided.outputTokens;
    const sorted = [...times].sort((x, y) => x - y);
    const p50 = sorted[Math.floor((sorted.length - 1) / 2)]!;
    const [cheap, frontier] = estimateSavings(usage, PRICING_EXAMPLES.slice(0, 2));
    numbers.textContent = `Answered on this device in ${a.ms.toFixed(0)} ms (median ${p50.toFixed(0)} ms over ${times.length}). A hosted chatbot would have billed ~${usage.inputTokens + usage.outputTokens} tokens: ${dollars(cheap!.dollars)} on a cheap model, ${dollars(frontier!.dollars)} on a frontier one. Here: $0.`;
    document.documentElement.dataset['askAnswers'] = String(times.length);
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = input.value.trim();
    const eng = engine();
    if (q === '' || eng === undefined) return;
    answer.textContent = 'Thinking on your device…';
    assistant ??= createAssistant({ engine: eng, knowledgeUrl: './knowledge/knowledge.json', contact: { url: '#/help/contact' } });
    assistant.then((a) => a.ask(q)).then(show, (err: unknown) => {
      assistant = undefined;
      answer.textContent = `The assistant could not answer: ${err instanceof Error ? err.message : String(err)}`;
    });
  });
}
