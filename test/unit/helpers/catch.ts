/** Shared helpers for the core-* unit tests: capture a thrown or rejected InpageError. */
import { expect } from 'vitest';
import { InpageError } from '../../../src/errors.ts';

/** Runs `fn`, asserts it throws an `InpageError`, and returns that error. */
export function thrown(fn: () => unknown): InpageError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a throw').toBeInstanceOf(InpageError);
  return caught as InpageError;
}

/** Awaits `p`, asserts it rejects with an `InpageError`, and returns that error. */
export async function rejected(p: Promise<unknown>): Promise<InpageError> {
  let caught: unknown;
  let resolvedWith: unknown;
  let resolved = false;
  try {
    resolvedWith = await p;
    resolved = true;
  } catch (e) {
    caught = e;
  }
  expect(resolved, `expected a rejection, resolved with ${String(resolvedWith)}`).toBe(false);
  expect(caught, `expected an InpageError, got ${String(caught)}`).toBeInstanceOf(InpageError);
  return caught as InpageError;
}

/** A promise with its resolve/reject exposed. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/** Resolves to `'pending'` if `p` has not settled within `ms`, otherwise to how it settled. */
export function settledWithin(p: Promise<unknown>, ms: number): Promise<'resolved' | 'rejected' | 'pending'> {
  return Promise.race([
    p.then(() => 'resolved' as const, () => 'rejected' as const),
    new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms)),
  ]);
}
