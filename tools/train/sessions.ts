/**
 * Groups an event log into time-ordered sessions of steps (consecutive events on one item
 * collapse into one step, as `toSteps` does on the page), stored flat (CSR) for speed.
 */
import type { EventLog } from './read-events.ts';

/** Sessions as flat arrays: steps of session `s` are `offsets[s] .. offsets[s+1]-1`. */
export interface Sessions {
  count: number;
  offsets: Int32Array;
  item: Int32Array;
  /** Strongest event code of the step. */
  code: Uint8Array;
  /** Time of the step's latest event (Unix ms). */
  time: Float64Array;
  /** Time of each session's first event (Unix ms). */
  start: Float64Array;
  /** Index in the event log of each step's latest event (maps steps back to events). */
  event: Int32Array;
}

/**
 * Builds sessions: a counting sort by session (linear, no per-event objects), then a stable sort
 * by time inside each session, then step collapsing. Sessions keep their first-appearance order.
 * `by: 'user'` groups by visitor instead: one sequence per visitor, their sessions back to back,
 * which is the history a visitor's device holds.
 */
export function buildSessions(log: EventLog, by: 'session' | 'user' = 'session'): Sessions {
  const key = by === 'user' ? log.user : log.session;
  const groups = by === 'user' ? log.users : log.sessions;
  const counts = new Int32Array(groups + 1);
  for (let i = 0; i < log.length; i++) counts[(key[i] ?? 0) + 1]!++;
  for (let s = 0; s < groups; s++) counts[s + 1]! += counts[s]!;
  const order = new Int32Array(log.length);
  const fill = counts.slice(0, groups);
  for (let i = 0; i < log.length; i++) order[fill[key[i]!]!++] = i;

  const item = new Int32Array(log.length);
  const code = new Uint8Array(log.length);
  const time = new Float64Array(log.length);
  const event = new Int32Array(log.length);
  const offsets = new Int32Array(groups + 1);
  const start = new Float64Array(groups);
  let n = 0;
  for (let s = 0; s < groups; s++) {
    const from = counts[s]!;
    const to = counts[s + 1]!;
    // Logs are usually time-ordered already; insertion sort is linear then and stable always.
    for (let i = from + 1; i < to; i++) {
      const v = order[i]!;
      const tv = log.time[v]!;
      let j = i - 1;
      while (j >= from && log.time[order[j]!]! > tv) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = v;
    }
    offsets[s] = n;
    start[s] = to > from ? log.time[order[from]!]! : 0;
    for (let i = from; i < to; i++) {
      const e = order[i]!;
      if (n > offsets[s]! && item[n - 1] === log.item[e]) {
        code[n - 1] = Math.max(code[n - 1]!, log.code[e]!);
        time[n - 1] = log.time[e]!;
        event[n - 1] = e;
      } else {
        item[n] = log.item[e]!;
        code[n] = log.code[e]!;
        time[n] = log.time[e]!;
        event[n] = e;
        n++;
      }
    }
  }
  offsets[groups] = n;
  return { count: groups, offsets, item: item.slice(0, n), code: code.slice(0, n), time: time.slice(0, n), start, event: event.slice(0, n) };
}

/** The sessions for which `keep(s)` is true, renumbered in order. */
export function selectSessions(all: Sessions, keep: (s: number) => boolean): Sessions {
  const chosen: number[] = [];
  let steps = 0;
  for (let s = 0; s < all.count; s++) {
    if (keep(s)) {
      chosen.push(s);
      steps += all.offsets[s + 1]! - all.offsets[s]!;
    }
  }
  const out: Sessions = {
    count: chosen.length,
    offsets: new Int32Array(chosen.length + 1),
    item: new Int32Array(steps),
    code: new Uint8Array(steps),
    time: new Float64Array(steps),
    start: new Float64Array(chosen.length),
    event: new Int32Array(steps),
  };
  let n = 0;
  chosen.forEach((s, k) => {
    const from = all.offsets[s]!;
    const to = all.offsets[s + 1]!;
    out.offsets[k] = n;
    out.start[k] = all.start[s]!;
    out.item.set(all.item.subarray(from, to), n);
    out.code.set(all.code.subarray(from, to), n);
    out.time.set(all.time.subarray(from, to), n);
    out.event.set(all.event.subarray(from, to), n);
    n += to - from;
  });
  out.offsets[chosen.length] = n;
  return out;
}

/** Earliest and latest step time over all sessions (Unix ms); [0, 0] when empty. */
export function timeRange(sessions: Sessions): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < sessions.time.length; i++) {
    const t = sessions.time[i]!;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  return Number.isFinite(lo) ? [lo, hi] : [0, 0];
}
