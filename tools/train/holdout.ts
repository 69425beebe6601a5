/**
 * Held-out next-item queries, the way the model is used: a visitor's whole history so far (every
 * session of theirs, back to back) and the next item they went to. The trainer's validation split
 * and the eval's leave-last-out protocol are the same function, so the eval tunes its baselines on
 * exactly the split the trainer tunes the model on.
 */
import type { EventLog } from './read-events.ts';
import { buildSessions, type Sessions } from './sessions.ts';
import { Prng } from '../onnx/prng.ts';

/** Queries over visitor sequences, and the events a model may learn from. */
export interface Holdout {
  /** The event log without the held-out steps' events. */
  train: EventLog;
  /** One sequence per visitor over the whole log that was split (the histories). */
  users: Sessions;
  /** Per query: the visitor's sequence index. */
  user: Int32Array;
  /** Per query: the target step (an index into `users.item`); the history is the steps before it in that sequence. */
  step: Int32Array;
}

/** The events with `keep[e] === 1`, same session and visitor numbering. */
export function selectEvents(log: EventLog, keep: Uint8Array): EventLog {
  let n = 0;
  for (let e = 0; e < log.length; e++) n += keep[e] === 1 ? 1 : 0;
  const out: EventLog = {
    length: n, sessions: log.sessions, users: log.users,
    session: new Int32Array(n), user: new Int32Array(n), item: new Int32Array(n), code: new Uint8Array(n), time: new Float64Array(n),
    stats: { ...log.stats, kept: n },
  };
  let k = 0;
  for (let e = 0; e < log.length; e++) {
    if (keep[e] !== 1) continue;
    out.session[k] = log.session[e]!;
    out.user[k] = log.user[e]!;
    out.item[k] = log.item[e]!;
    out.code[k] = log.code[e]!;
    out.time[k] = log.time[e]!;
    k++;
  }
  return out;
}

/** True when the item of step `t` does not occur earlier in its sequence (from `from`). */
export function isNewAt(seq: Sessions, from: number, t: number): boolean {
  const target = seq.item[t]!;
  for (let p = from; p < t; p++) if (seq.item[p] === target) return false;
  return true;
}

/**
 * Chronological leave-last-out per visitor: each visitor's last step is held out (all its events);
 * it is a query when the visitor had at least one step before it and the item is new to them
 * (a repeat would be excluded as seen, for every method alike).
 *
 * @example const { train, users, user, step } = leaveLastOut(log);
 */
export function leaveLastOut(log: EventLog): Holdout {
  const users = buildSessions(log, 'user');
  const lastStep = new Int32Array(users.count).fill(-1);
  const queryUser: number[] = [];
  const queryStep: number[] = [];
  for (let u = 0; u < users.count; u++) {
    const from = users.offsets[u]!;
    const to = users.offsets[u + 1]!;
    if (to - from < 2) continue;
    lastStep[u] = to - 1;
    if (isNewAt(users, from, to - 1)) {
      queryUser.push(u);
      queryStep.push(to - 1);
    }
  }
  // The held-out step's events: the visitor's events at or after the step before it.
  const cutTime = new Float64Array(users.count).fill(Infinity);
  const cutEvent = new Int32Array(users.count).fill(-1);
  for (let u = 0; u < users.count; u++) {
    const t = lastStep[u]!;
    if (t < 0) continue;
    cutTime[u] = users.time[t - 1]!;
    cutEvent[u] = users.event[t - 1]!;
  }
  const keep = new Uint8Array(log.length);
  for (let e = 0; e < log.length; e++) {
    const u = log.user[e]!;
    // Events ordered by (time, log position) within a visitor, as buildSessions orders them.
    const before = log.time[e]! < cutTime[u]! || (log.time[e] === cutTime[u] && e <= cutEvent[u]!);
    keep[e] = before ? 1 : 0;
  }
  return { train: selectEvents(log, keep), users, user: Int32Array.from(queryUser), step: Int32Array.from(queryStep) };
}

/** At most `max` of the queries, drawn without replacement with a seeded shuffle (order kept). */
export function sampleQueries(h: Holdout, max: number, seed: number): Holdout {
  const n = h.user.length;
  if (n <= max) return h;
  const idx = Array.from({ length: n }, (_, i) => i);
  const rng = new Prng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  const chosen = idx.slice(0, max).sort((a, b) => a - b);
  return { ...h, user: Int32Array.from(chosen, (i) => h.user[i]!), step: Int32Array.from(chosen, (i) => h.step[i]!) };
}
