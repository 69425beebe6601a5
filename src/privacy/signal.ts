/**
 * What a consent signal (the IAB TCF API, Google Consent Mode, a call from the page) says, in
 * one shape the consent controller can order by arrival.
 */

/**
 * - `decision`: the visitor (or the site on their behalf) decided; a denial erases.
 * - `default`: a site default before any decision (Consent Mode `default`); applies only until
 *   the first decision.
 * - `pending`: the consent tool is asking the visitor now (TCF `cmpuishown`): no decision is
 *   coming soon, so nobody should wait for one.
 */
export type SignalKind = 'decision' | 'default' | 'pending';

/** Who said it. */
export type ConsentSource = 'option' | 'api' | 'tcf' | 'consent-mode';

/** One reading of a signal. */
export interface SignalVerdict {
  kind: SignalKind;
  /** Ignored for `pending`. */
  granted: boolean;
  source: ConsentSource;
}
