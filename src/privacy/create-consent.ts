/**
 * `createConsent`: the consent controller (consent.ts) erasing with `forgetEverything`.
 *
 * @example
 * const consent = createConsent({ mode: 'required' });
 * await consent.set(false); // erases every Inpage trace on the origin, model cache included
 */
import { createConsentWith, type Consent, type ConsentOptions } from './consent.ts';
import { forgetEverything } from './forget.ts';

/** Creates a page's consent controller. Throws `OPTION_INVALID` for an unknown mode. */
export function createConsent(options: ConsentOptions = {}): Consent {
  return createConsentWith(forgetEverything, options);
}
