/**
 * `inpage recommend` as a function: streams the histories file, hands chunks of subscribers to
 * worker threads (one per core), and writes their rows in input order, so memory stays flat and
 * the output is the same whatever the worker count.
 *
 * Resume: the output holds the first n subscribers' rows, in input order, whole chunks at a time.
 * After an interruption `resume` keeps its complete lines (a torn last line is cut), checks that
 * the last one is the n-th subscriber of the input, skips n subscribers and appends the rest.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat, truncate } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { packChunk, readHistories, type SubscriberHistory } from './histories.ts';
import { InpageError } from '../../src/errors.ts';
import type { NodeRuntime } from './node-engine.ts';
import { csvHeader, type OutputFormat, type UrlTemplates } from './output.ts';
import type { BatchRequest } from './subscriber-list.ts';
import type { FromWorker, ToWorker, WorkerSetup } from './worker.ts';

/** Options of {@link runRecommend}. */
export interface RecommendRunOptions {
  reco: string;
  histories: string;
  out: string;
  format: OutputFormat;
  request: BatchRequest;
  urls: UrlTemplates;
  runtime: NodeRuntime;
  /** Worker threads. Default: one per core. */
  workers?: number;
  resume: boolean;
  maxBadLines: number;
  /** Subscribers per chunk handed to a worker. Default 512. */
  chunkSize?: number;
  onBadLine?: (report: string) => void;
  /** Called about four times a second. */
  onProgress?: ((p: { subscribers: number; bytesRead: number; totalBytes: number; seconds: number }) => void) | undefined;
}

/** What a run did. */
export interface RecommendRunSummary {
  /** Subscribers in the input (resumed ones included). */
  subscribers: number;
  /** Rows this run wrote. */
  written: number;
  /** Rows kept from an earlier run (`resume`). */
  resumed: number;
  personal: number;
  trending: number;
  badLines: number;
  ignoredEvents: number;
  seconds: number;
  /** Rows written per second. */
  perSecond: number;
  runtime: NodeRuntime;
  workers: number;
  /** CPU time of the process (all threads, user + system), seconds: the figure a busy machine does not blur. */
  cpuSeconds: number;
  /** Peak resident memory of the process (all threads), MB. */
  peakRssMb: number;
}

/** The worker entry: bin/inpage.js, two folders up from tools/recommend and from dist/cli alike. */
const WORKER_ENTRY = new URL('../../bin/inpage.js', import.meta.url);

/** What `--resume` finds in an output file. */
interface ExistingRows {
  rows: number;
  lastId: string | undefined;
  /** The first and last complete lines ('' when none). */
  firstLine: string;
  lastLine: string;
}

/**
 * Complete rows already in `path`, its first and last lines and the last one's subscriber id;
 * cuts a torn last line. Refuses (checkResumable) a file of another format or `k`.
 */
async function existingRows(path: string, format: OutputFormat, k: number): Promise<ExistingRows> {
  const size = await stat(path).then((s) => s.size, () => -1);
  if (size < 0) return { rows: 0, lastId: undefined, firstLine: '', lastLine: '' };
  let lines = 0;
  let complete = 0; // bytes up to the last newline
  let offset = 0;
  let lastLine = '';
  let firstLine: string | undefined;
  let partial = '';
  for await (const buf of createReadStream(path) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) {
      lines++;
      lastLine = partial + buf.toString('utf8', from, i);
      firstLine ??= lastLine;
      partial = '';
      from = i + 1;
      complete = offset + i + 1;
    }
    partial += buf.toString('utf8', from);
    offset += buf.length;
  }
  checkResumable({ firstLine: firstLine ?? '' }, path, format, k); // before anything is cut
  if (complete < size) await truncate(path, complete);
  const rows = format === 'csv' ? Math.max(0, lines - 1) : lines;
  if (rows === 0) return { rows: 0, lastId: undefined, firstLine: firstLine ?? '', lastLine };
  let lastId: string;
  if (format === 'jsonl') lastId = String((JSON.parse(lastLine) as { subscriber_id: string }).subscriber_id);
  else lastId = lastLine.startsWith('"') ? lastLine.slice(1, lastLine.indexOf('",')).replaceAll('""', '"') : lastLine.slice(0, lastLine.indexOf(','));
  return { rows, lastId, firstLine: firstLine ?? '', lastLine };
}

/**
 * `--resume` appends only to an output of the same format and `--k`: a CSV's header names its
 * slots (rec1_… to recK_…), a JSON Lines file starts with `{`. Throws `OPTION_INVALID` otherwise.
 */
export function checkResumable(prior: Pick<ExistingRows, 'firstLine'>, out: string, format: OutputFormat, k: number): void {
  const first = prior.firstLine;
  if (first === '') return;
  const fail = (what: string, details: Record<string, string | number>): never => {
    throw new InpageError('OPTION_INVALID', `--resume: ${out} ${what}; run with the flags that wrote it, or start over without --resume.`, { flag: 'resume', ...details });
  };
  const looksJson = first.startsWith('{');
  if (format === 'jsonl' && !looksJson) fail(`is not JSON Lines (its first line is ${JSON.stringify(first.slice(0, 60))})`, { expected: 'jsonl' });
  if (format === 'csv') {
    if (looksJson) fail('holds JSON Lines, not CSV', { expected: 'csv' });
    if (first !== csvHeader(k)) {
      const slots = first.split(',').filter((c) => /^rec\d+_id$/.test(c)).length;
      fail(slots > 0 ? `was written with --k ${slots} (its header has ${slots} rec slots), not --k ${k}` : `has a header that is not this command's (${JSON.stringify(first.slice(0, 60))})`, { k, found: slots });
    }
  }
}

/** Runs the whole batch; rejects with a message a person can act on. */
export async function runRecommend(o: RecommendRunOptions): Promise<RecommendRunSummary> {
  const t0 = performance.now();
  const workers = o.workers ?? availableParallelism();
  // Chunks need not shrink for large catalogues: a subscriber's bias row lives only in its
  // worker's reused batch (batch-lists.ts), whose runs are capped at 16 MB of bias.
  const chunkSize = o.chunkSize ?? 512;
  const totalBytes = (await stat(o.histories)).size;
  const prior = o.resume ? await existingRows(o.out, o.format, o.request.k) : { rows: 0, lastId: undefined, firstLine: '', lastLine: '' };
  const out = createWriteStream(o.out, { flags: prior.rows > 0 || (o.resume && o.format === 'jsonl') ? 'a' : 'w' });
  await once(out, 'open');
  if (prior.rows === 0 && o.format === 'csv') {
    if (o.resume) await truncate(o.out, 0); // a header alone (or nothing): start the file over
    out.write(`${csvHeader(o.request.k)}\n`);
  }

  const setup: WorkerSetup = { inpage: 'recommend-worker', reco: o.reco, runtime: o.runtime, request: o.request, format: o.format, urls: o.urls, now: Date.now() };
  // Workers start as the input shows it needs them: a small file never pays for a second one.
  const pool: Worker[] = [];
  let failure: Error | undefined;
  const pending = new Map<number, string>();
  const busy = new Map<Worker, number>();
  let nextWrite = 0;
  let written = 0;
  let personal = 0;
  let trending = 0;
  let wake: (() => void) | undefined;
  const signal = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const fail = (e: Error): void => {
    failure ??= e;
    signal();
  };

  let runtime: NodeRuntime = 'node';
  let lastRow: string | undefined;
  const start = (): Promise<void> => new Promise<void>((resolve, reject) => {
    const w = new Worker(WORKER_ENTRY, { workerData: setup });
    pool.push(w);
    busy.set(w, 0);
    w.on('error', (e) => { reject(e); fail(e); });
    w.on('exit', (code) => { if (code !== 0) fail(new Error(`a worker thread exited with code ${code}`)); });
    w.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        runtime = m.runtime;
        resolve();
      } else if (m.type === 'error') {
        const e = new Error(m.message);
        reject(e);
        fail(e);
      } else if (m.seq < 0) {
        lastRow = m.text; // the --resume check's row (below), not output
        signal();
      } else {
        busy.set(w, busy.get(w)! - 1);
        personal += m.personal;
        trending += m.trending;
        pending.set(m.seq, m.text);
        while (pending.has(nextWrite)) {
          const text = pending.get(nextWrite)!;
          pending.delete(nextWrite++);
          written += text.length === 0 ? 0 : text.split('\n').length - 1;
          out.write(text);
        }
        signal();
      }
    });
  });

  const idle = (): Promise<void> => new Promise((resolve) => { wake = resolve; });
  let seq = 0;
  let subscribers = 0;
  const reader = readHistories(o.histories, { maxBadLines: o.maxBadLines, ...(o.onBadLine === undefined ? {} : { onBadLine: o.onBadLine }) });
  const progress = setInterval(() => o.onProgress?.({ subscribers: prior.rows + written, bytesRead: reader.bytesRead(), totalBytes, seconds: (performance.now() - t0) / 1000 }), 250);
  const send = async (subs: SubscriberHistory[]): Promise<void> => {
    // At most two chunks per worker in flight, and the output stream drained: memory stays flat.
    for (;;) {
      if (failure) throw failure;
      const least = [...busy].sort((a, b) => a[1] - b[1])[0];
      if (least !== undefined && least[1] > 0 && pool.length < workers) {
        await start();
        continue;
      }
      const free = least !== undefined && least[1] < 2 ? least[0] : undefined;
      if (free !== undefined && !out.writableNeedDrain) {
        busy.set(free, busy.get(free)! + 1);
        free.postMessage({ type: 'chunk', seq: seq++, chunk: packChunk(subs) } satisfies ToWorker);
        return;
      }
      if (out.writableNeedDrain) await once(out, 'drain');
      else await idle();
    }
  };
  /**
   * The last kept row must be what these settings give its subscriber: rows written with another
   * --strategy, filter, URL template or package are not appended to.
   */
  const sameLastRow = async (sub: SubscriberHistory): Promise<void> => {
    pool[0]!.postMessage({ type: 'chunk', seq: -1, chunk: packChunk([sub]) } satisfies ToWorker);
    while (lastRow === undefined) {
      if (failure) throw failure;
      await idle();
    }
    if (lastRow !== `${prior.lastLine}\n`) {
      throw new InpageError('OPTION_INVALID', `--resume: the last row of ${o.out} (subscriber ${JSON.stringify(sub.id)}) is not the row these flags give that subscriber: it was written with another --strategy, filter, --exclude, --link/--image/--base or package. Run with the flags that wrote it, or start over without --resume.`, { flag: 'resume', subscriber: sub.id });
    }
  };
  try {
    await start();
    let chunk: SubscriberHistory[] = [];
    for await (const sub of reader.subscribers) {
      subscribers++;
      if (subscribers <= prior.rows) {
        if (subscribers === prior.rows && sub.id !== prior.lastId) {
          throw new Error(`--resume: ${o.out} ends with subscriber ${JSON.stringify(prior.lastId)}, but subscriber ${prior.rows.toLocaleString('en')} of ${o.histories} is ${JSON.stringify(sub.id)}; is it the output of this input? Start over without --resume.`);
        }
        if (subscribers === prior.rows) await sameLastRow(sub);
        continue;
      }
      chunk.push(sub);
      if (chunk.length === chunkSize) {
        await send(chunk);
        chunk = [];
      }
    }
    if (prior.rows > subscribers) throw new Error(`--resume: ${o.out} already holds ${prior.rows.toLocaleString('en')} rows but ${o.histories} has ${subscribers.toLocaleString('en')} subscribers; is it the output of this input?`);
    if (chunk.length > 0) await send(chunk);
    while (nextWrite < seq) {
      if (failure) throw failure;
      await idle();
    }
  } finally {
    clearInterval(progress);
    for (const w of pool) w.postMessage({ type: 'close' } satisfies ToWorker);
    await Promise.all(pool.map((w) => once(w, 'exit').catch(() => {})));
    out.end();
    await once(out, 'close').catch(() => {});
  }
  const seconds = (performance.now() - t0) / 1000;
  const usage = process.resourceUsage();
  return {
    subscribers, written, resumed: prior.rows, personal, trending,
    badLines: reader.stats.badLines, ignoredEvents: reader.stats.ignoredEvents,
    seconds, perSecond: written / seconds, runtime, workers: pool.length,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    peakRssMb: Math.round(usage.maxRSS / 1024),
  };
}
