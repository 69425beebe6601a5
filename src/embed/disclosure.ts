/**
 * The element's "Why these?" disclosure: a native `<details>`/`<summary>` (keyboard and screen
 * reader support come with the element: Tab reaches the summary, Enter or Space opens it, its
 * expanded state is announced), saying that the list is personalised on this device from the
 * visitor's recent activity and that nothing is sent to the shop's servers, with a "Forget my
 * history" button and a status line for the outcome. On a list that could be personalised but is
 * not, it says so instead, without the button.
 *
 * Built with DOM APIs and text only (no HTML parsing), like the cards.
 */
import type { ElementStrings } from './strings.ts';

function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, cls: string, part: string): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  if (cls) node.className = cls;
  node.setAttribute('part', part);
  return node;
}

/** What the forget button reports back to the element. */
export interface ForgetControls {
  button: HTMLButtonElement;
  status: HTMLElement;
}

/**
 * The disclosure. `onForget` runs on a click of the button (only on personalised lists, and only
 * when the source can forget); it gets the button and the status line to update.
 *
 * @example section.append(disclosure(document, { personalised: true, strings, lang: 'de', onForget }))
 */
export function disclosure(doc: Document, opts: { personalised: boolean; strings: ElementStrings; lang: string; onForget?: ((c: ForgetControls) => void) | undefined }): HTMLDetailsElement {
  const { strings } = opts;
  const details = el(doc, 'details', 'w', 'why');
  details.lang = opts.lang;
  const summary = el(doc, 'summary', '', 'why-summary');
  summary.textContent = strings.why;
  const body = el(doc, 'div', 'wb', 'why-body');
  const text = el(doc, 'p', '', 'why-text');
  text.textContent = opts.personalised ? strings.personalised : strings.notPersonalised;
  body.append(text);
  if (opts.personalised && opts.onForget) {
    const button = el(doc, 'button', '', 'forget');
    button.type = 'button';
    button.textContent = strings.forget;
    // A live region present before it changes, so "Erasing…" and a failure are announced.
    const status = el(doc, 'p', 'st', 'forget-status');
    status.setAttribute('role', 'status');
    const onForget = opts.onForget;
    button.addEventListener('click', () => {
      // aria-disabled, not disabled: a disabled button drops keyboard focus to the page.
      if (button.getAttribute('aria-disabled') === 'true') return;
      onForget({ button, status });
    });
    body.append(button, status);
  }
  details.append(summary, body);
  return details;
}

/** The closed disclosure's box, reserved while the list loads so its arrival moves nothing. */
export function disclosureSkeleton(doc: Document): HTMLDivElement {
  const box = el(doc, 'div', 'w ws', 'why skeleton');
  box.setAttribute('aria-hidden', 'true');
  return box;
}

/**
 * A focusable status line shown after the list re-rendered (the button that was focused is
 * gone): focus moves here, so keyboard and screen reader users hear the outcome.
 */
export function notice(doc: Document, text: string, lang: string): HTMLParagraphElement {
  const p = el(doc, 'p', 'n', 'notice');
  p.lang = lang;
  p.setAttribute('role', 'status');
  p.tabIndex = -1;
  p.textContent = text;
  return p;
}
