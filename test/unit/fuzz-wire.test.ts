/**
 * Fuzzing the error wire (src/errors.ts) and the page's reply decoding (src/client/connection.ts),
 * seeded with fixed iteration counts. Inputs: random structured-clone values, random bytes
 * decoded as JSON and as V8 structured-clone data (the format postMessage uses), and truncated or
 * bit-flipped serialisations of real wire errors and replies. Properties:
 *   - isWireError never throws; what it accepts rebuilds (fromWire) into an InpageError with the
 *     same code and message and a known code, and re-serialises to the same wire form;
 *   - as a type guard it does not lie: `details` of an accepted value is absent or plain data;
 *   - toInpageError never throws and always yields an InpageError with a known code;
 *   - a reply of any shape arriving from the worker settles its call (no hang), and a rejection
 *     is always an InpageError with a known code.
 */
import { Gen } from './helpers/fuzz-gen.ts';
import { deserialize, serialize } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerConnection } from '../../src/client/connection.ts';
import { ERROR_CODES, InpageError, fromWire, isWireError, toInpageError, type ErrorCode } from '../../src/errors.ts';
import type { HostApi } from '../../src/protocol.ts';
import { portWorker, type PortWorker } from './helpers/port-worker.ts';

class WireGen extends Gen {
  string(): string { return this.pick(['', 'x', 'boom', 'ABORTED', 'code', 'message', 'ø\u0000', 'a'.repeat(this.int(300))]); }
}

const CODE_LIKE = [...ERROR_CODES, 'aborted', 'NOPE', '', 'ABORTED ', 'TIMEOUT\u0000', 'constructor', '__proto__'];

/** A random structured-clone-safe value, biased towards things shaped like wire errors and replies. */
function value(g: WireGen, depth = 0): unknown {
  const k = g.int(depth > 2 ? 8 : 14);
  switch (k) {
    case 0: return null;
    case 1: return undefined;
    case 2: return g.pick([0, -0, 1, -1, NaN, Infinity, 2 ** 53, 0.5]);
    case 3: return g.string();
    case 4: return g.chance(0.5);
    case 5: return BigInt(g.int(1000));
    case 6: return g.pick([new Date(0), /re/g, new Uint8Array(3), new ArrayBuffer(2), new Error('e'), new Map([[1, 2]]), new Set([1])]);
    case 7: return g.pick(CODE_LIKE);
    case 8: return Array.from({ length: g.int(4) }, () => value(g, depth + 1));
    case 9: case 10: {
      // wire-error shaped
      const o: Record<string, unknown> = {};
      if (g.chance(0.9)) o['code'] = g.chance(0.7) ? g.pick(ERROR_CODES) : value(g, depth + 1);
      if (g.chance(0.9)) o['message'] = g.chance(0.8) ? g.string() : value(g, depth + 1);
      if (g.chance(0.6)) o['details'] = g.chance(0.5) ? { status: g.int(600), url: g.string(), list: [1, 'a'] } : value(g, depth + 1);
      if (g.chance(0.2)) o[g.string()] = value(g, depth + 1);
      return o;
    }
    case 11: case 12: {
      // reply shaped
      const o: Record<string, unknown> = {};
      if (g.chance(0.9)) o['ok'] = g.chance(0.8) ? g.chance(0.5) : value(g, depth + 1);
      if (g.chance(0.7)) o['value'] = value(g, depth + 1);
      if (g.chance(0.7)) o['error'] = value(g, depth + 1);
      return o;
    }
    default: {
      const o: Record<string, unknown> = {};
      for (let i = g.int(4); i > 0; i--) o[g.string()] = value(g, depth + 1);
      return o;
    }
  }
}

/** Values decoded from random or damaged bytes: JSON text and V8 structured-clone data. */
function decodedFromBytes(g: WireGen): unknown[] {
  const out: unknown[] = [];
  const real = [
    new InpageError('MODEL_FETCH_FAILED', 'HTTP 404', { url: '/m.onnx', status: 404, attempts: 1 }).toWire(),
    { ok: false, error: new InpageError('TIMEOUT', 'late', { timeoutMs: 5 }).toWire() },
    { ok: true, value: { y: { type: 'int32', dims: [1], data: new Int32Array([7]) } } },
  ];
  const source = g.pick(real);
  const attempts: Uint8Array[] = [];
  const v8 = new Uint8Array(serialize(source));
  const json = new TextEncoder().encode(JSON.stringify(source));
  attempts.push(g.bytes(g.int(64)));                                 // random bytes
  attempts.push(v8.slice(0, g.int(v8.length)));                      // truncated
  const flipped = v8.slice();
  for (let i = 1 + g.int(3); i > 0; i--) { const at = g.int(flipped.length); flipped[at] = flipped[at]! ^ (1 << g.int(8)); }
  attempts.push(flipped);                                            // bit flips
  const jflip = json.slice();
  jflip[g.int(jflip.length)] = g.int(128);
  for (const bytes of attempts) {
    try { out.push(deserialize(bytes)); } catch { /* not decodable: nothing reaches the SDK */ }
  }
  for (const bytes of [json.slice(0, g.int(json.length)), jflip, g.bytes(16)]) {
    try { out.push(JSON.parse(new TextDecoder().decode(bytes))); } catch { /* not JSON */ }
  }
  return out;
}

function isPlainDetails(d: unknown): boolean {
  if (d === undefined) return true;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return false;
  return Object.values(d).every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v)
    || (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')));
}

function show(v: unknown): string {
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === null) return `null-prototype object ${show({ ...v })}`;
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x === undefined ? '<undefined>' : x))?.slice(0, 200) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** Runs `check` over `cases`, collecting distinct failures (by kind) with one example each. */
function collect(cases: Iterable<unknown>, check: (v: unknown) => string | undefined): string[] {
  const seen = new Map<string, string>();
  for (const v of cases) {
    let kind: string | undefined;
    try { kind = check(v); } catch (e) { kind = `threw ${(e as Error)?.name}: ${(e as Error)?.message}`; }
    if (kind && !seen.has(kind)) seen.set(kind, show(v));
  }
  return [...seen].map(([k, ex]) => `${k} — e.g. ${ex}`);
}

function* corpus(seed: number, n: number): Generator<unknown> {
  const g = new WireGen(seed);
  for (let i = 0; i < n; i++) {
    yield value(g);
    yield* decodedFromBytes(g);
  }
  // Values that reach error handlers in practice but are not structured-clone data.
  yield Object.create(null);
  yield Object.assign(Object.create(null), { code: 'ABORTED', message: 'm' });
  yield new DOMException('x', 'AbortError');
  yield Symbol('thrown');
}

const KNOWN = new Set<string>(ERROR_CODES);
const N = 4_000;

describe('fuzz: error wire decoding', () => {
  it(`isWireError / fromWire over ${N} seeded values and damaged serialisations: never throws, accepted values round-trip`, () => {
    let accepted = 0;
    const problems = collect(corpus(0xe77, N), (v) => {
      const ok = isWireError(v);
      if (typeof ok !== 'boolean') return 'isWireError returned a non-boolean';
      if (!ok) return undefined;
      accepted++;
      const w = v as { code: ErrorCode; message: string };
      const err = fromWire(w);
      if (!(err instanceof InpageError)) return 'fromWire did not build an InpageError';
      if (!KNOWN.has(err.code) || err.code !== w.code || err.message !== w.message) return 'fromWire changed code or message';
      const again = structuredClone(err.toWire());
      if (!isWireError(again) || again.code !== err.code || again.message !== err.message) return 'toWire did not round-trip';
      return undefined;
    });
    expect(accepted, 'accepted cases (the generator must reach the accept path)').toBeGreaterThan(N / 10);
    expect(problems).toEqual([]);
  });

  it('isWireError is a sound type guard: an accepted value has no details or plain-data details', () => {
    const problems = collect(corpus(0xe78, N), (v) => {
      if (!isWireError(v)) return undefined;
      return isPlainDetails((v as { details?: unknown }).details) ? undefined : `accepted details of type ${Array.isArray((v as { details?: unknown }).details) ? 'array' : (v as { details?: unknown }).details === null ? 'null' : typeof (v as { details?: unknown }).details}`;
    });
    expect(problems).toEqual([]);
  });

  it(`toInpageError over ${N} seeded values: always an InpageError with a known code, never a throw`, () => {
    const problems = collect(corpus(0xe79, N), (v) => {
      const e = toInpageError(v, 'INTERNAL', 'ctx');
      if (!(e instanceof InpageError)) return 'not an InpageError';
      if (!KNOWN.has(e.code)) return `unknown code ${String(e.code)}`;
      if (typeof e.message !== 'string') return 'message not a string';
      return undefined;
    });
    expect(problems).toEqual([]);
  });
});

describe('fuzz: replies of any shape from the worker', () => {
  const workers: PortWorker[] = [];
  afterAll(() => { for (const w of workers) w.close(); });

  /** Reply shapes that matter to the decoder; the corpus keeps two of each, to stay small and quiet. */
  function signature(reply: unknown): string {
    if (typeof reply !== 'object' || reply === null) return `${reply === null ? 'null' : typeof reply}`;
    const r = reply as { ok?: unknown; error?: unknown };
    const err = r.error;
    return `ok:${typeof r.ok}:${Boolean(r.ok)} error:${err === null ? 'null' : typeof err}:${isWireError(err) ? 'wire' : 'not-wire'}`;
  }

  it('every call settles within 1 s; a rejection is an InpageError with a known code; a resolution had ok: true', async () => {
    const g = new WireGen(0xe80);
    const perShape = new Map<string, number>();
    const replies: unknown[] = [];
    for (let i = 0; i < 2_000; i++) {
      const v = g.chance(0.5) ? value(g) : decodedFromBytes(g)[0] ?? value(g);
      const sig = signature(v);
      if ((perShape.get(sig) ?? 0) >= 2) continue;
      perShape.set(sig, (perShape.get(sig) ?? 0) + 1);
      replies.push(v);
    }
    // The host answers call i with replies[i], through real comlink + postMessage (structured clone).
    const worker = portWorker({ info: (i: number) => Promise.resolve(replies[i]) });
    workers.push(worker);
    const conn = new WorkerConnection(worker, () => {});
    const outcomes = await Promise.all(replies.map((_, i) => Promise.race([
      conn.call((r) => (r as unknown as { info: (i: number) => ReturnType<HostApi['info']> }).info(i), { what: 'fuzz', timeoutMs: 0 })
        .then((value) => ({ kind: 'resolved' as const, value }), (error: unknown) => ({ kind: 'rejected' as const, error })),
      new Promise<{ kind: 'hang' }>((r) => setTimeout(() => r({ kind: 'hang' }), 1000)),
    ])));
    // Grouped by kind, with up to three reply shapes each.
    const problems = new Map<string, string[]>();
    const note = (kind: string, v: unknown): void => {
      const list = problems.get(kind) ?? [];
      if (list.length < 3) list.push(`${signature(v)}: ${show(v).slice(0, 90)}`);
      problems.set(kind, list);
    };
    outcomes.forEach((outcome, i) => {
      const reply = replies[i];
      const shaped = reply as { ok?: unknown } | null | undefined;
      if (outcome.kind === 'hang') note('the call never settled', reply);
      else if (outcome.kind === 'resolved' && !(typeof shaped === 'object' && shaped !== null && shaped.ok)) note('resolved without ok', reply);
      else if (outcome.kind === 'rejected') {
        const e = outcome.error;
        if (!(e instanceof InpageError)) note(`rejected with ${(e as Error)?.name ?? typeof e}`, reply);
        else if (!KNOWN.has(e.code)) note('rejected with an InpageError whose code is not an ErrorCode', reply);
      }
    });
    expect(replies.length, 'distinct reply shapes tried').toBeGreaterThan(15);
    expect([...problems].map(([k, ex]) => `${k} — e.g. ${ex.join(' | ')}`)).toEqual([]);
  });
});
