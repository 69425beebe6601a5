/**
 * One error class for the whole SDK. Every failure a caller can see is an `InpageError` with a
 * stable `code`; the message says what was expected, what arrived and what to do.
 *
 * Errors cross the worker boundary as plain `{ code, message, details }` objects (structured
 * clone drops class identity and custom fields — web-llm flattened them to strings) and are
 * rebuilt here, so `instanceof InpageError` and `err.code` hold on the page.
 *
 * @example
 * try { await model.run(feeds); }
 * catch (e) { if (e instanceof InpageError && e.code === 'INPUT_INVALID') showHint(e.message); }
 */
export type ErrorCode =
  | 'WEBGPU_UNAVAILABLE'
  | 'BACKEND_UNAVAILABLE'
  | 'MODEL_FETCH_FAILED'
  | 'MODEL_INVALID'
  | 'INTEGRITY_MISMATCH'
  | 'INPUT_INVALID'
  | 'RUN_FAILED'
  | 'ABORTED'
  | 'TIMEOUT'
  | 'WORKER_CRASHED'
  | 'WORKER_UNAVAILABLE'
  | 'DISPOSED'
  | 'MANIFEST_INVALID'
  | 'CATALOG_INVALID'
  | 'NOT_FOUND'
  | 'OPTION_INVALID'
  | 'FORGET_INCOMPLETE'
  | 'INTERNAL';

/** Every code, for validation of errors arriving over the wire. */
export const ERROR_CODES: readonly ErrorCode[] = [
  'WEBGPU_UNAVAILABLE', 'BACKEND_UNAVAILABLE', 'MODEL_FETCH_FAILED', 'MODEL_INVALID',
  'INTEGRITY_MISMATCH', 'INPUT_INVALID', 'RUN_FAILED', 'ABORTED', 'TIMEOUT', 'WORKER_CRASHED',
  'WORKER_UNAVAILABLE', 'DISPOSED', 'MANIFEST_INVALID', 'CATALOG_INVALID', 'NOT_FOUND',
  'OPTION_INVALID', 'FORGET_INCOMPLETE', 'INTERNAL',
];

/** Structured-clone-safe extra facts about an error (status codes, names, sizes). */
export type ErrorDetails = Record<string, string | number | boolean | null | readonly (string | number)[]>;

/** The form an error takes on the wire. */
export interface WireError {
  code: ErrorCode;
  message: string;
  details?: ErrorDetails;
}

/** The SDK's error class. `code` is stable; match on it, not on the message. */
export class InpageError extends Error {
  override readonly name = 'InpageError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = details;
  }

  /** Plain form for `postMessage`. */
  toWire(): WireError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** True for anything that looks like a wire error (used before trusting data from the worker). */
export function isWireError(value: unknown): value is WireError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['message'] === 'string' && ERROR_CODES.includes(v['code'] as ErrorCode) && isDetails(v['details']);
}

const isScalar = (x: unknown): boolean => x === null || typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number');

/** `details` must be absent or plain data (what `ErrorDetails` promises callers). */
function isDetails(d: unknown): boolean {
  if (d === undefined) return true;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return false;
  const proto = Object.getPrototypeOf(d) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(d).every((x) => isScalar(x) || (Array.isArray(x) && x.every((y) => typeof y === 'string' || typeof y === 'number')));
}

/** Text of anything thrown, without throwing itself (null-prototype objects, symbols, revoked proxies). */
function describeThrown(err: unknown): string {
  try {
    if (err instanceof Error) return err.message;
    return String(err);
  } catch {
    try { return Object.prototype.toString.call(err); } catch { return 'unknown error'; }
  }
}

/** Rebuild an `InpageError` from its wire form. */
export function fromWire(wire: WireError): InpageError {
  return new InpageError(wire.code, wire.message, wire.details);
}

/**
 * Turn anything thrown into an `InpageError`, keeping `InpageError`s as they are and naming
 * the fallback code for unknown failures (ORT throws plain `Error`s with text only).
 */
export function toInpageError(err: unknown, fallback: ErrorCode, context?: string): InpageError {
  if (err instanceof InpageError) return err;
  if (isWireError(err)) return fromWire(err);
  if (err instanceof DOMException && err.name === 'AbortError') {
    return new InpageError('ABORTED', context ? `${context}: aborted by the caller.` : 'Aborted by the caller.');
  }
  const text = describeThrown(err);
  return new InpageError(fallback, context ? `${context}: ${text}` : text, undefined, { cause: err });
}

/** The error every call gets after `dispose()`. */
export function disposedError(what: string): InpageError {
  return new InpageError('DISPOSED', `${what} was disposed. Create a new one (createEngine / engine.load) to continue.`);
}

/** The error an aborted call rejects with; `reason` is the signal's reason when it is an InpageError. */
export function abortError(what: string, reason?: unknown): InpageError {
  if (reason instanceof InpageError) return reason;
  return new InpageError('ABORTED', `${what} was aborted by its AbortSignal.`);
}
