/**
 * Reads the IAB Transparency & Consent Framework v2.2 API (`window.__tcfapi`), which every
 * TCF-registered consent tool (CMP) installs.
 *
 * Inpage stores data on the device (purpose 1, "Store and/or access information on a device")
 * to build a personalised content profile (purpose 5) and to select personalised content with it
 * (purpose 6). TCF 2.2 allows only consent, not legitimate interest, as the legal basis for these.
 * Inpage runs as the site's own (first-party) code and has no IAB vendor id, so it accepts each
 * purpose when the visitor consented to it at purpose level (`purpose.consents`) or to the
 * publisher (`publisher.consents`); a site that registers a vendor id can require that vendor's
 * consent too (`vendorId`).
 *
 * Spec: https://github.com/InteractiveAdvertisingBureau/GDPR-Transparency-and-Consent-Framework
 * (TCF v2.2 CMP JS API: `addEventListener` / `removeEventListener`, `TCData.eventStatus`).
 *
 * @example
 * const stop = watchTcf(window, {}, (v) => console.log(v)); // { kind: 'decision', granted: true, source: 'tcf' }
 */
import type { SignalVerdict } from './signal.ts';

/** The fields of TCF's `TCData` Inpage reads. */
export interface TcData {
  gdprApplies?: boolean;
  /** 'tcloaded' (a stored decision), 'cmpuishown' (asking now), 'useractioncomplete' (just decided). */
  eventStatus?: string;
  listenerId?: number;
  purpose?: { consents?: Record<string, boolean | undefined> };
  publisher?: { consents?: Record<string, boolean | undefined> };
  vendor?: { consents?: Record<string, boolean | undefined> };
}

/** The `__tcfapi` function (TCF v2.2 CMP API). */
export type TcfApi = (command: string, version: number, callback: (data: TcData | boolean | null, success: boolean) => void, parameter?: unknown) => void;

/** Options of the TCF reader. */
export interface TcfOptions {
  /** Purposes that must all be consented. Default `[1, 5, 6]`. */
  purposes?: readonly number[];
  /** Also require consent for this IAB vendor id. Default none (first-party use). */
  vendorId?: number;
}

/** Purposes Inpage needs: store on the device, build and use a personalised content profile. */
export const TCF_PURPOSES: readonly number[] = [1, 5, 6];

/**
 * What one `TCData` says, or undefined when it says nothing Inpage can use.
 *
 * @example tcfVerdict({ eventStatus: 'useractioncomplete', gdprApplies: true, purpose: { consents: { 1: true, 5: true, 6: true } } })
 * // { kind: 'decision', granted: true, source: 'tcf' }
 */
export function tcfVerdict(data: TcData, options: TcfOptions = {}): SignalVerdict | undefined {
  const status = data.eventStatus;
  if (status === 'cmpuishown') return { kind: 'pending', granted: false, source: 'tcf' };
  if (status !== 'tcloaded' && status !== 'useractioncomplete') return undefined;
  // The CMP determined that GDPR does not apply to this visitor: nothing to consent to.
  if (data.gdprApplies === false) return { kind: 'decision', granted: true, source: 'tcf' };
  const consented = (p: number): boolean => data.purpose?.consents?.[p] === true || data.publisher?.consents?.[p] === true;
  const purposes = options.purposes ?? TCF_PURPOSES;
  let granted = purposes.every(consented);
  if (granted && options.vendorId !== undefined) granted = data.vendor?.consents?.[options.vendorId] === true;
  return { kind: 'decision', granted, source: 'tcf' };
}

/**
 * Listens to the page's CMP through `__tcfapi('addEventListener', 2, …)`. Returns a function
 * that stops listening, or undefined when the page has no `__tcfapi`. A CMP that throws is
 * treated as absent.
 */
export function watchTcf(scope: { __tcfapi?: unknown }, options: TcfOptions, onVerdict: (v: SignalVerdict) => void): (() => void) | undefined {
  const api = scope.__tcfapi;
  if (typeof api !== 'function') return undefined;
  const call = api as TcfApi;
  let listenerId: number | undefined;
  let stopped = false;
  try {
    call('addEventListener', 2, (data, success) => {
      if (!success || typeof data !== 'object' || data === null) return;
      if (typeof data.listenerId === 'number') listenerId = data.listenerId;
      if (stopped) return;
      const v = tcfVerdict(data, options);
      if (v) onVerdict(v);
    });
  } catch {
    return undefined;
  }
  return () => {
    if (stopped) return;
    stopped = true;
    if (listenerId === undefined) return;
    try { call('removeEventListener', 2, () => {}, listenerId); } catch { /* the CMP is gone */ }
  };
}
