/**
 * CPU time of a page's worker threads from a Chrome trace (Playwright `browser.startTracing`).
 * On a shared machine a thread that is ready to run can wait for a core for most of its wall
 * time, so wall-clock differences between two workers measure the scheduler as much as the code;
 * the trace's thread time (`tdur` of each top-level task) counts only time on a core.
 */

/** Categories the trace needs: top-level tasks with thread time, the script URL of each call, user-timing marks, thread names. */
export const THREAD_CPU_CATEGORIES = ['toplevel', 'devtools.timeline', 'blink.user_timing', '__metadata'];

interface TraceEvent { name: string; cat: string; ph: string; ts: number; tdur?: number; pid: number; tid: number; args?: { name?: string; data?: { url?: string } } }

/**
 * Milliseconds on a core of each worker named in `workers` (a pattern of its script URL), for
 * the tasks that started between the user-timing marks `from` and `to`.
 *
 * @example workerCpuMs(await browser.stopTracing(), 'start', 'end', { direct: /tf-generation-worker/ })
 */
export function workerCpuMs<K extends string>(trace: Buffer, from: string, to: string, workers: Record<K, RegExp>): Record<K, number> {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const key = (e: TraceEvent): string => `${e.pid}:${e.tid}`;
  const isWorker = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'DedicatedWorker thread').map(key));
  const owner = new Map<string, K>();
  for (const e of events) {
    const url = e.name === 'FunctionCall' ? e.args?.data?.url : undefined;
    if (url === undefined || !isWorker.has(key(e))) continue;
    for (const k of Object.keys(workers) as K[]) if (workers[k].test(url)) owner.set(key(e), k);
  }
  const mark = (name: string): number => {
    const m = events.find((e) => e.name === name && e.cat.includes('blink.user_timing'));
    if (!m) throw new Error(`thread-cpu: the trace has no user-timing mark '${name}'`);
    return m.ts;
  };
  const [start, end] = [mark(from), mark(to)];
  const out = Object.fromEntries(Object.keys(workers).map((k) => [k, 0])) as Record<K, number>;
  for (const e of events) {
    const k = owner.get(key(e));
    if (k === undefined || e.ph !== 'X' || e.name !== 'ThreadControllerImpl::RunTask' || e.ts < start || e.ts > end) continue;
    out[k] += (e.tdur ?? 0) / 1000;
  }
  for (const k of Object.keys(workers) as K[]) if (![...owner.values()].includes(k)) throw new Error(`thread-cpu: no worker thread ran a script matching ${workers[k]}`);
  return out;
}
