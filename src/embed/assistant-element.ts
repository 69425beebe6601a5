/**
 * `<inpage-assistant>`: a question box answered on the device by the support assistant.
 *
 * ```html
 * <inpage-assistant placeholder="Ask about delivery, returns, sizes…"></inpage-assistant>
 * ```
 *
 * The answer shows the passage quoted, a link to its page, product cards with live price and stock,
 * or "I don't know" with the contact link. Every field is set as text or a checked URL (never
 * parsed as HTML). Events (bubbling, composed): `inpage:answer` {question, kind, ms, sources},
 * `inpage:error` {code, message}. A question can also be asked from script: `el.ask('…')`.
 */
import type { Assistant, AssistantAnswer } from '../assistant/index.ts';
import { productCard, type CardFormat } from './cards.ts';
import { safeHttpUrl } from './safe-url.ts';
import { applyStyles } from './styles.ts';

/** Options of {@link defineAssistantElement}. */
export interface AssistantElementOptions {
  /** Resolves to the assistant (called on the first question). */
  assistant: () => Promise<Pick<Assistant, 'ask'>>;
  imageTemplate?: string;
  linkTemplate?: string;
  currency?: string;
  locale?: string;
  /** Default 'inpage-assistant'. */
  tagName?: string;
}

const CSS = `
form{display:flex;gap:8px;margin:0 0 12px}
input{flex:1;min-width:0;font:inherit;padding:8px;border:1px solid #0003;border-radius:var(--inpage-radius,8px)}
button{font:inherit;padding:8px 12px;border-radius:var(--inpage-radius,8px);border:0;background:var(--inpage-accent,#1a73e8);color:#fff;cursor:pointer}
button:disabled{opacity:.6;cursor:progress}
.answer p{margin:0 0 8px;line-height:1.45}
blockquote{margin:0 0 8px;padding:8px 12px;border-left:3px solid var(--inpage-accent,#1a73e8);background:#0000000a;border-radius:4px;line-height:1.45}
.src{display:block;font-size:.85em;margin:0 0 12px}
.meta{font-size:.8em;opacity:.7;margin-top:8px}
`;

function text<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, value: string, part: string, cls = ''): HTMLElementTagNameMap[K] {
  const n = doc.createElement(tag);
  n.textContent = value;
  n.setAttribute('part', part);
  if (cls) n.className = cls;
  return n;
}

/** Renders one answer into `box` (DOM APIs only). */
export function renderAnswer(doc: Document, box: HTMLElement, a: AssistantAnswer, fmt: CardFormat): void {
  box.replaceChildren();
  box.setAttribute('data-kind', a.kind);
  if (a.kind === 'unknown') {
    box.append(text(doc, 'p', a.text, 'unknown'));
    const href = a.contactUrl ? safeHttpUrl(a.contactUrl, fmt.base) : undefined;
    if (href) {
      const link = text(doc, 'a', 'Contact us', 'contact', 'src');
      link.href = href;
      box.append(link);
    }
  } else {
    if (a.generated) box.append(text(doc, 'p', a.text, 'text'));
    if (a.quote) {
      box.append(text(doc, 'blockquote', a.quote.text, 'quote'));
      const href = safeHttpUrl(a.quote.url, fmt.base);
      const label = `${a.quote.title} — ${a.quote.heading}`;
      const src = href ? text(doc, 'a', label, 'source', 'src') : text(doc, 'span', label, 'source', 'src');
      if (src instanceof HTMLAnchorElement && href) src.href = href;
      box.append(src);
    }
  }
  if (a.products.length > 0) {
    const list = doc.createElement('ul');
    list.setAttribute('part', 'list');
    a.products.forEach((p, position) => list.append(productCard(doc, { item: { ...p, category: '', categoryName: '' }, reason: p.inStock ? 'In stock' : 'Out of stock', position }, fmt)));
    box.append(list);
  }
  box.append(text(doc, 'div', `answered on this device in ${a.ms.toFixed(0)} ms`, 'meta', 'meta'));
}

/**
 * Defines the element (once per registry; a second call returns the existing class).
 *
 * @example defineAssistantElement({ assistant: () => assistantPromise, linkTemplate: '#/p/{id}', currency: 'EUR' });
 */
export function defineAssistantElement(options: AssistantElementOptions, registry: CustomElementRegistry = customElements): CustomElementConstructor {
  const name = options.tagName ?? 'inpage-assistant';
  const existing = registry.get(name);
  if (existing) return existing;
  /** The element's shared sheet, built once per definition. */
  const styles: { sheet?: CSSStyleSheet } = {};
  class InpageAssistantElement extends HTMLElement {
    private readonly root = this.attachShadow({ mode: 'open' });
    private readonly input = document.createElement('input');
    private readonly button = document.createElement('button');
    private readonly box = document.createElement('div');

    connectedCallback(): void {
      if (this.root.childElementCount > 0) return;
      applyStyles(this.root, styles);
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      this.root.adoptedStyleSheets = [...this.root.adoptedStyleSheets, sheet];
      const form = document.createElement('form');
      form.setAttribute('part', 'form');
      this.input.type = 'search';
      this.input.setAttribute('part', 'input');
      this.input.setAttribute('aria-label', 'Your question');
      this.input.placeholder = this.getAttribute('placeholder') ?? 'Ask a question…';
      this.button.type = 'submit';
      this.button.textContent = 'Ask';
      this.button.setAttribute('part', 'button');
      this.box.className = 'answer';
      this.box.setAttribute('part', 'answer');
      this.box.setAttribute('aria-live', 'polite');
      form.append(this.input, this.button);
      form.addEventListener('submit', (e) => { e.preventDefault(); void this.ask(this.input.value).catch(() => {}); });
      this.root.append(form, this.box);
    }

    /** Asks `question` and shows the answer; resolves with it. */
    async ask(question: string): Promise<AssistantAnswer> {
      this.input.value = question;
      this.button.disabled = true;
      try {
        const a = await (await options.assistant()).ask(question);
        renderAnswer(document, this.box, a, { imageTemplate: this.getAttribute('image-template') ?? options.imageTemplate, linkTemplate: this.getAttribute('link-template') ?? options.linkTemplate, currency: this.getAttribute('currency') ?? options.currency, locale: options.locale, base: document.baseURI });
        this.dispatchEvent(new CustomEvent('inpage:answer', { bubbles: true, composed: true, detail: { question, kind: a.kind, ms: a.ms, sources: a.sources.map((s) => s.url) } }));
        return a;
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        this.box.replaceChildren(text(document, 'p', 'Sorry, the assistant could not answer just now.', 'error'));
        this.dispatchEvent(new CustomEvent('inpage:error', { bubbles: true, composed: true, detail: { code: typeof code === 'string' ? code : 'INTERNAL', message: e instanceof Error ? e.message : String(e) } }));
        throw e;
      } finally {
        this.button.disabled = false;
      }
    }
  }
  registry.define(name, InpageAssistantElement);
  return InpageAssistantElement;
}
