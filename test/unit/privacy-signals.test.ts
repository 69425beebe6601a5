/**
 * The consent signal readers as pure logic: what a TCF v2.2 `TCData` and a Consent Mode v2
 * `dataLayer` say, and how the controller orders them (latest decision wins, a default only until
 * the first decision, a denial that is a decision erases). The same readers run against a TCF
 * stub and gtag() in real Chromium in test/browser/privacy-consent.spec.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { consentModeVerdicts, watchConsentMode } from '../../src/privacy/consent-mode.ts';
import { createConsent } from '../../src/privacy/create-consent.ts';
import { tcfVerdict, watchTcf, type TcData } from '../../src/privacy/tcf.ts';

const all = (ids: number[]): Record<string, boolean> => Object.fromEntries(ids.map((i) => [String(i), true]));

describe('TCF v2.2 verdicts', () => {
  it('grants only with consent to purposes 1, 5 and 6 (purpose level or publisher), on a decision event', () => {
    const base: TcData = { gdprApplies: true, eventStatus: 'useractioncomplete' };
    expect(tcfVerdict({ ...base, purpose: { consents: all([1, 5, 6]) } })).toEqual({ kind: 'decision', granted: true, source: 'tcf' });
    expect(tcfVerdict({ ...base, purpose: { consents: all([1, 5]) } })?.granted).toBe(false);
    expect(tcfVerdict({ ...base, purpose: { consents: all([1]) }, publisher: { consents: all([5, 6]) } })?.granted).toBe(true);
    expect(tcfVerdict({ ...base, purpose: { consents: { 1: true, 5: true, 6: false } } })?.granted).toBe(false);
    expect(tcfVerdict({ ...base, eventStatus: 'tcloaded', purpose: { consents: all([1, 5, 6]) } })?.kind).toBe('decision');
  });

  it('asking now is pending, GDPR not applying is a grant, other statuses say nothing', () => {
    expect(tcfVerdict({ eventStatus: 'cmpuishown', gdprApplies: true })).toEqual({ kind: 'pending', granted: false, source: 'tcf' });
    expect(tcfVerdict({ eventStatus: 'tcloaded', gdprApplies: false })).toEqual({ kind: 'decision', granted: true, source: 'tcf' });
    expect(tcfVerdict({ eventStatus: 'stub' })).toBeUndefined();
    expect(tcfVerdict({})).toBeUndefined();
  });

  it('custom purposes and a vendor id are honoured', () => {
    const d: TcData = { gdprApplies: true, eventStatus: 'tcloaded', purpose: { consents: all([1, 5, 6]) }, vendor: { consents: { 755: false } } };
    expect(tcfVerdict(d, { purposes: [1] })?.granted).toBe(true);
    expect(tcfVerdict(d, { vendorId: 755 })?.granted).toBe(false);
    expect(tcfVerdict({ ...d, vendor: { consents: { 755: true } } }, { vendorId: 755 })?.granted).toBe(true);
  });

  it('watchTcf registers one listener, ignores failed calls, and removes the listener by id', () => {
    const calls: unknown[][] = [];
    let listener: ((d: TcData | boolean | null, ok: boolean) => void) | undefined;
    const api = (cmd: string, version: number, cb: (d: TcData | boolean | null, ok: boolean) => void, param?: unknown): void => {
      calls.push([cmd, version, param]);
      if (cmd === 'addEventListener') listener = cb;
    };
    const seen: unknown[] = [];
    const stop = watchTcf({ __tcfapi: api }, {}, (v) => seen.push(v));
    listener!({ listenerId: 7, eventStatus: 'tcloaded', gdprApplies: true, purpose: { consents: all([1, 5, 6]) } }, true);
    listener!(null, false);
    listener!({ listenerId: 7, eventStatus: 'useractioncomplete', gdprApplies: true, purpose: { consents: {} } }, true);
    expect(seen).toEqual([{ kind: 'decision', granted: true, source: 'tcf' }, { kind: 'decision', granted: false, source: 'tcf' }]);
    stop!();
    expect(calls).toEqual([['addEventListener', 2, undefined], ['removeEventListener', 2, 7]]);
    expect(watchTcf({}, {}, () => {})).toBeUndefined();
  });
});

describe('Consent Mode v2 verdicts', () => {
  function gtagArgs(...a: unknown[]): IArguments {
    // gtag() pushes its `arguments` object, not an array.
    return (function (..._: unknown[]) { return arguments; })(...a);
  }

  it('reads gtag arguments and arrays, defaults and updates, for personalization_storage', () => {
    const layer = [
      { event: 'gtm.js' },
      gtagArgs('consent', 'default', { ad_storage: 'denied', personalization_storage: 'denied' }),
      gtagArgs('config', 'G-XYZ'),
      ['consent', 'update', { ad_storage: 'granted' }],
      ['consent', 'update', { personalization_storage: 'granted' }],
      gtagArgs('consent', 'update', { personalization_storage: 'denied' }),
    ];
    expect(consentModeVerdicts(layer)).toEqual([
      { kind: 'default', granted: false, source: 'consent-mode' },
      { kind: 'decision', granted: true, source: 'consent-mode' },
      { kind: 'decision', granted: false, source: 'consent-mode' },
    ]);
  });

  it('with several types, all must be granted; values other than granted/denied are ignored', () => {
    const types = ['personalization_storage', 'functionality_storage'];
    const v = consentModeVerdicts([
      ['consent', 'update', { personalization_storage: 'granted' }],
      ['consent', 'update', { functionality_storage: 'yes' }],
      ['consent', 'update', { functionality_storage: 'granted' }],
    ], { types });
    expect(v.map((x) => x.granted)).toEqual([false, true]);
  });

  it('watchConsentMode sees pushes at once, finds a dataLayer created later, and unwraps on stop', () => {
    const scope: { dataLayer?: unknown[] } = {};
    const seen: boolean[] = [];
    const w = watchConsentMode(scope, {}, (v) => seen.push(v.granted));
    expect(w.present()).toBe(false);
    scope.dataLayer = [['consent', 'default', { personalization_storage: 'denied' }]];
    const nativePush = scope.dataLayer.push;
    w.poll();
    scope.dataLayer.push(['consent', 'update', { personalization_storage: 'granted' }]);
    expect(seen).toEqual([false, true]);
    // Another script replaces push without calling ours: the next poll still reads the entry.
    const theirs = function (this: unknown[], ...items: unknown[]): number { return Array.prototype.push.apply(this, items); };
    scope.dataLayer.push = theirs;
    scope.dataLayer.push(['consent', 'update', { personalization_storage: 'denied' }]);
    w.poll();
    expect(seen).toEqual([false, true, false]);
    w.stop();
    expect(scope.dataLayer.push).not.toBe(nativePush); // someone else's wrapper stays
    scope.dataLayer.push(['consent', 'update', { personalization_storage: 'granted' }]);
    expect(seen).toHaveLength(3);
  });
});

describe('the consent controller', () => {
  it("'granted' mode starts granted and reads no consent tool", async () => {
    const api = vi.fn();
    const c = createConsent({ scope: { __tcfapi: api } });
    expect(c.granted()).toBe(true);
    expect(api).not.toHaveBeenCalled();
    expect((await c.settled()).source).toBe('option');
  });

  it('a default counts until the first decision; the latest decision wins; a denial decision erases', async () => {
    const scope: { dataLayer: unknown[] } = { dataLayer: [['consent', 'default', { personalization_storage: 'granted' }]] };
    const c = createConsent({ mode: 'required', scope, tcf: false });
    const erased = vi.fn(() => undefined);
    c.onErase(erased);
    const changes: boolean[] = [];
    c.onChange((s) => changes.push(s.granted));
    expect(c.status()).toMatchObject({ granted: true, source: 'consent-mode', decided: false });
    scope.dataLayer.push(['consent', 'update', { personalization_storage: 'denied' }]);
    expect(c.status()).toMatchObject({ granted: false, decided: true });
    // A later default changes nothing: the visitor decided.
    scope.dataLayer.push(['consent', 'default', { personalization_storage: 'granted' }]);
    expect(c.granted()).toBe(false);
    await c.set(true);
    expect(c.status()).toMatchObject({ granted: true, source: 'api' });
    expect(changes).toEqual([false, true]);
    expect(erased).toHaveBeenCalledTimes(1);
    const report = await c.set(false);
    expect(report).toEqual({ erased: [], kept: [] }); // Node has no web storage to sweep
    expect(erased).toHaveBeenCalledTimes(2);
    c.dispose();
  });

  it('a default of denied does not erase (it comes first on every page, also for visitors who consented)', () => {
    const c = createConsent({ mode: 'required', tcf: false, scope: { dataLayer: [['consent', 'default', { personalization_storage: 'denied' }]] } });
    const erased = vi.fn(() => undefined);
    c.onErase(erased);
    expect(c.granted()).toBe(false);
    expect(erased).not.toHaveBeenCalled();
  });

  it('settled(): at once without a consent tool or while the tool asks; otherwise at the decision or the timeout', async () => {
    expect((await createConsent({ mode: 'required', scope: {} }).settled(10_000)).decided).toBe(false);
    let listener: ((d: TcData, ok: boolean) => void) | undefined;
    const scope = { __tcfapi: (cmd: string, _v: number, cb: (d: TcData, ok: boolean) => void) => { if (cmd === 'addEventListener') listener = cb; } };
    const c = createConsent({ mode: 'required', scope });
    const waiting = c.settled(10_000);
    listener!({ eventStatus: 'tcloaded', gdprApplies: true, purpose: { consents: all([1, 5, 6]) } }, true);
    expect(await waiting).toMatchObject({ granted: true, source: 'tcf', decided: true });
    const asking = createConsent({ mode: 'required', scope });
    const p = asking.settled(10_000);
    listener!({ eventStatus: 'cmpuishown', gdprApplies: true }, true);
    expect((await p).granted).toBe(false);
    const silent = createConsent({ mode: 'required', scope: { __tcfapi: () => {} } });
    const t0 = Date.now();
    expect((await silent.settled(50)).decided).toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
  });

  it('rejects a bad mode and a non-boolean set() with typed errors', async () => {
    expect(() => createConsent({ mode: 'yes' as 'granted' })).toThrow(/consent must be 'granted' or 'required'/);
    await expect(createConsent().set('true' as unknown as boolean)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });
});
