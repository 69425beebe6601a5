/**
 * InpageError and its wire form: errors cross the worker boundary as plain `{code, message,
 * details}` (structured clone drops class identity) and must come back as the same class.
 */
import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES, InpageError, abortError, disposedError, fromWire, isWireError, toInpageError, type ErrorCode,
} from '../../src/errors.ts';

describe('InpageError wire round trip', () => {
  it('keeps code, message and details through toWire → structuredClone → fromWire', () => {
    const err = new InpageError('MODEL_FETCH_FAILED', 'HTTP 404 from /m.onnx', { url: '/m.onnx', status: 404, retried: false, tried: ['a', 1], none: null });
    const wire = structuredClone(err.toWire());
    expect(Object.getPrototypeOf(wire)).toBe(Object.prototype);
    expect(isWireError(wire)).toBe(true);
    const back = fromWire(wire);
    expect(back).toBeInstanceOf(InpageError);
    expect(back).toBeInstanceOf(Error);
    expect(back.name).toBe('InpageError');
    expect(back.code).toBe('MODEL_FETCH_FAILED');
    expect(back.message).toBe('HTTP 404 from /m.onnx');
    expect(back.details).toEqual({ url: '/m.onnx', status: 404, retried: false, tried: ['a', 1], none: null });
  });

  it('omits details from the wire form when there are none, and rebuilds them as undefined', () => {
    const wire = new InpageError('TIMEOUT', 'too slow').toWire();
    expect(wire).toEqual({ code: 'TIMEOUT', message: 'too slow' });
    expect('details' in wire).toBe(false);
    expect(fromWire(structuredClone(wire)).details).toBeUndefined();
  });

  it('is needed: structuredClone of the error itself loses the code', () => {
    const cloned = structuredClone(new InpageError('RUN_FAILED', 'x')) as unknown as Record<string, unknown>;
    expect(cloned).not.toBeInstanceOf(InpageError);
    expect(cloned['code']).toBeUndefined();
  });

  it('round-trips every code', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) {
      const back = fromWire(structuredClone(new InpageError(code, `m-${code}`).toWire()));
      expect(back.code).toBe(code);
      expect(back.message).toBe(`m-${code}`);
    }
  });
});

describe('isWireError', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'ABORTED'],
    ['a number', 42],
    ['an empty object', {}],
    ['an array', ['ABORTED', 'msg']],
    ['an unknown code', { code: 'NOPE', message: 'x' }],
    ['a lower-case code', { code: 'aborted', message: 'x' }],
    ['a missing message', { code: 'ABORTED' }],
    ['a non-string message', { code: 'ABORTED', message: 5 }],
    ['a comlink-flattened Error', { name: 'Error', message: 'boom', stack: '...' }],
  ])('rejects %s', (_label, value) => {
    expect(isWireError(value)).toBe(false);
  });

  it('accepts a known code with a string message (even an empty one)', () => {
    expect(isWireError({ code: 'ABORTED', message: '' })).toBe(true);
    expect(isWireError({ code: 'INTERNAL', message: 'm', details: { a: 1 } })).toBe(true);
  });
});

describe('toInpageError', () => {
  it('returns an InpageError unchanged (same object)', () => {
    const err = new InpageError('INPUT_INVALID', 'bad');
    expect(toInpageError(err, 'INTERNAL', 'ctx')).toBe(err);
  });

  it('rebuilds a wire error as an InpageError with its own code, not the fallback', () => {
    const got = toInpageError({ code: 'NOT_FOUND', message: 'no such model' }, 'INTERNAL');
    expect(got).toBeInstanceOf(InpageError);
    expect(got.code).toBe('NOT_FOUND');
    expect(got.message).toBe('no such model');
  });

  it('maps a DOMException AbortError to ABORTED, naming the context', () => {
    const got = toInpageError(new DOMException('The operation was aborted.', 'AbortError'), 'RUN_FAILED', 'Running the model');
    expect(got.code).toBe('ABORTED');
    expect(got.message).toContain('Running the model');
    expect(toInpageError(new DOMException('x', 'AbortError'), 'RUN_FAILED').code).toBe('ABORTED');
  });

  it("maps an aborted AbortSignal's default reason to ABORTED", () => {
    const reason: unknown = AbortSignal.abort().reason;
    expect(toInpageError(reason, 'MODEL_INVALID').code).toBe('ABORTED');
  });

  it('does not treat other DOMExceptions as aborts', () => {
    const got = toInpageError(new DOMException('gone', 'NotFoundError'), 'MODEL_INVALID');
    expect(got.code).toBe('MODEL_INVALID');
    expect(got.message).toContain('gone');
  });

  it('wraps a plain Error with the fallback code, the context and the cause', () => {
    const cause = new Error('Got invalid dimensions for input: x');
    const got = toInpageError(cause, 'RUN_FAILED', 'Running the model');
    expect(got).toBeInstanceOf(InpageError);
    expect(got.code).toBe('RUN_FAILED');
    expect(got.message).toBe('Running the model: Got invalid dimensions for input: x');
    expect(got.cause).toBe(cause);
  });

  it('wraps non-Error throwables as text', () => {
    const fallback: ErrorCode = 'INTERNAL';
    expect(toInpageError('just a string', fallback).message).toBe('just a string');
    expect(toInpageError(7, fallback, 'ctx').message).toBe('ctx: 7');
    expect(toInpageError(undefined, fallback).code).toBe('INTERNAL');
  });
});

describe('abortError and disposedError', () => {
  it('abortError passes an InpageError reason through and otherwise makes ABORTED', () => {
    const reason = new InpageError('TIMEOUT', 'late');
    expect(abortError('x', reason)).toBe(reason);
    const made = abortError('model.run()', AbortSignal.abort().reason);
    expect(made.code).toBe('ABORTED');
    expect(made.message).toContain('model.run()');
  });

  it('disposedError has code DISPOSED and names the thing', () => {
    const e = disposedError('This model');
    expect(e.code).toBe('DISPOSED');
    expect(e.message).toMatch(/^This model was disposed/);
  });
});
