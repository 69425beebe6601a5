import { describe, expect, it } from 'vitest';
import { PageLifecycle } from '../../src/client/page-lifecycle.ts';

/** A window-like target: an EventTarget with a document, firing page transition events. */
function fakeWindow(): EventTarget & { document: object; fire(type: 'pagehide' | 'pageshow', persisted: boolean): void } {
  const t = new EventTarget() as EventTarget & { document: object; fire(type: string, persisted: boolean): void };
  t.document = {};
  t.fire = (type, persisted) => t.dispatchEvent(Object.assign(new Event(type), { persisted }));
  return t;
}

describe('PageLifecycle', () => {
  it('runs work at once while the page is shown', () => {
    const w = fakeWindow();
    const life = new PageLifecycle(w);
    let ran = 0;
    life.whenShown(() => ran++);
    expect(ran).toBe(1);
  });

  it('defers work from a parked page (pagehide persisted) to the next pageshow', () => {
    const w = fakeWindow();
    const life = new PageLifecycle(w);
    let ran = 0;
    w.fire('pagehide', true);
    life.whenShown(() => ran++);
    expect(ran).toBe(0);
    w.fire('pageshow', true);
    expect(ran).toBe(1);
    w.fire('pageshow', true);
    expect(ran).toBe(1);
  });

  it('does not defer after a pagehide that is a real unload', () => {
    const w = fakeWindow();
    const life = new PageLifecycle(w);
    let ran = 0;
    w.fire('pagehide', false);
    life.whenShown(() => ran++);
    expect(ran).toBe(1);
  });

  it('drops deferred work and stops listening once disposed', () => {
    const w = fakeWindow();
    const life = new PageLifecycle(w);
    let ran = 0;
    w.fire('pagehide', true);
    life.whenShown(() => ran++);
    life.dispose();
    w.fire('pageshow', true);
    expect(ran).toBe(0);
  });

  it('is inert outside a window (no document: a worker or Node)', () => {
    const t = new EventTarget();
    const life = new PageLifecycle(t);
    t.dispatchEvent(Object.assign(new Event('pagehide'), { persisted: true }));
    let ran = 0;
    life.whenShown(() => ran++);
    expect(ran).toBe(1);
  });
});
