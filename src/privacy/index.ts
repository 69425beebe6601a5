/**
 * Privacy by design: the consent controller (site setting, IAB TCF v2.2, Google Consent Mode v2,
 * explicit calls), the origin-wide forget, retention, and the gate every store asks. Pure on
 * import. See docs/PRIVACY.md.
 *
 * @example
 * import { createConsent, createRecommender } from 'inpage';
 * const consent = createConsent({ mode: 'required' });
 * const rec = await createRecommender({ engine, manifestUrl: '/reco/manifest.json', consent });
 */
export { createConsent } from './create-consent.ts';
export { isConsent, type Consent, type ConsentMode, type ConsentOptions, type ConsentScope, type ConsentStatus } from './consent.ts';
export { consentModeVerdicts, CONSENT_MODE_TYPES, type ConsentModeOptions } from './consent-mode.ts';
export { forgetEverything, STORAGE_KEY_PREFIX, DATABASE_PREFIX, type ErasedLocation, type ForgetOptions, type ForgetReport, type ForgetScope, type StorageArea } from './forget.ts';
export { requestPersistence, type PersistApi, type PersistStatus, type StoragePersistence } from './persist-storage.ts';
export { ALWAYS_GRANTED, type ConsentGate } from './gate.ts';
export { PersonalRecord, type StorageLike } from './personal-record.ts';
export { DEFAULT_RETENTION_BYTES, DEFAULT_RETENTION_DAYS, resolveRetention, type RetentionOptions, type RetentionPolicy } from './retention.ts';
export type { ConsentSource, SignalKind, SignalVerdict } from './signal.ts';
export { tcfVerdict, TCF_PURPOSES, type TcData, type TcfOptions } from './tcf.ts';
