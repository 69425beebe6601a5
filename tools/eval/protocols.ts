/**
 * The two test protocols of `inpage eval`, both over visitor histories (a visitor's sessions back
 * to back, as their device keeps them), both querying only items new to the visitor:
 * - `leave-last-out`: each visitor's last step is the test query, everything before it trains
 *   (chronological leave-last-out per user, the protocol the maintainers use on public data);
 * - `time`: sessions starting in the last `testShare` of the period are the test period; every
 *   step of theirs that reaches a new item is a query, the history being all the visitor's
 *   earlier steps; only sessions that started before the cut train.
 */
import { leaveLastOut, selectEvents, type Holdout } from '../train/holdout.ts';
import type { EventLog } from '../train/read-events.ts';
import { buildSessions } from '../train/sessions.ts';
import { cutTime } from './evaluate.ts';

/** The protocols' names, as the CLI takes them. */
export type Protocol = 'leave-last-out' | 'time';
export const PROTOCOLS: readonly Protocol[] = ['leave-last-out', 'time'];

/** A test split and how it was cut. */
export interface TestSplit extends Holdout {
  protocol: Protocol;
  /** In words, for the report. */
  description: string;
  /** Time protocol: 1 for each event of the log in the test period. */
  testEvents?: Uint8Array;
}

/** Each session's first event time (Unix ms). */
function sessionStarts(log: EventLog): Float64Array {
  const start = new Float64Array(log.sessions).fill(Infinity);
  for (let e = 0; e < log.length; e++) start[log.session[e]!] = Math.min(start[log.session[e]!]!, log.time[e]!);
  return start;
}

/**
 * Time split at `lo + (1 − testShare)·(hi − lo)` of the session start times ({@link cutTime}).
 *
 * @example const split = timeSplit(log, 0.1);
 */
export function timeSplit(log: EventLog, testShare: number): TestSplit {
  const start = sessionStarts(log);
  const cut = cutTime(start, testShare);
  const keep = Uint8Array.from(log.session, (s) => (start[s]! < cut ? 1 : 0));
  const users = buildSessions(log, 'user');
  const user: number[] = [];
  const step: number[] = [];
  const seen = new Set<number>();
  for (let u = 0; u < users.count; u++) {
    seen.clear();
    for (let t = users.offsets[u]!; t < users.offsets[u + 1]!; t++) {
      const item = users.item[t]!;
      if (t > users.offsets[u]! && !seen.has(item) && keep[users.event[t]!] === 0) {
        user.push(u);
        step.push(t);
      }
      seen.add(item);
    }
  }
  return {
    protocol: 'time',
    description: `time split at ${new Date(cut).toISOString()} (sessions starting in the last ${Math.round(testShare * 100)}% of the period are the test period)`,
    train: selectEvents(log, keep),
    users,
    user: Int32Array.from(user),
    step: Int32Array.from(step),
    testEvents: keep.map((x) => 1 - x),
  };
}

/** Chronological leave-last-out per visitor (holdout.ts) as a test split. */
export function leaveLastOutSplit(log: EventLog): TestSplit {
  return { protocol: 'leave-last-out', description: "leave-last-out: each visitor's last step is the query, all earlier events train", ...leaveLastOut(log) };
}
