/**
 * A worker thread of `inpage recommend`: loads the package once, then turns chunks of subscribers
 * into output text. Started through bin/inpage.js (so the source checkout and the published bundle
 * start workers the same way); `main()` hands over to {@link runRecommendWorker} when it runs in
 * one.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { unpackChunk, type PackedChunk } from './histories.ts';
import type { NodeRuntime } from './node-engine.ts';
import { BatchLists } from './batch-lists.ts';
import { rowFormatter, type OutputFormat, type UrlTemplates } from './output.ts';
import { openPackage, type BatchRequest } from './subscriber-list.ts';

/** What a worker is started with. */
export interface WorkerSetup {
  inpage: 'recommend-worker';
  reco: string;
  runtime: NodeRuntime;
  request: BatchRequest;
  format: OutputFormat;
  urls: UrlTemplates;
  now: number;
}

/** Parent → worker. */
export type ToWorker = { type: 'chunk'; seq: number; chunk: PackedChunk } | { type: 'close' };
/** Worker → parent. */
export type FromWorker =
  | { type: 'ready'; runtime: NodeRuntime }
  | { type: 'done'; seq: number; text: string; personal: number; trending: number }
  | { type: 'error'; message: string };

/** True inside a worker thread started by `inpage recommend`. */
export function isRecommendWorker(): boolean {
  return !isMainThread && (workerData as Partial<WorkerSetup> | null)?.inpage === 'recommend-worker';
}

/** Serves chunks until told to close; resolves with the exit code. */
export async function runRecommendWorker(): Promise<number> {
  const setup = workerData as WorkerSetup;
  const port = parentPort!;
  const post = (m: FromWorker): void => port.postMessage(m);
  let opened;
  try {
    opened = await openPackage(setup.reco, setup.runtime);
  } catch (e) {
    post({ type: 'error', message: (e as Error).message });
    return 1;
  }
  const { pkg } = opened;
  const lists = new BatchLists(pkg, setup.request, setup.now);
  const format = rowFormatter(pkg, setup.format, setup.request.k, setup.urls);
  post({ type: 'ready', runtime: opened.runtime });
  // One chunk at a time: a chunk's lists already fill whole batches, and its buffers are reused.
  let queue = Promise.resolve();
  return new Promise<number>((resolve) => {
    port.on('message', (m: ToWorker) => {
      queue = queue.then(async () => {
        if (m.type === 'close') {
          port.close();
          await opened.dispose();
          resolve(0);
          return;
        }
        try {
          const rows = await lists.build(unpackChunk(m.chunk));
          let personal = 0;
          let text = '';
          for (const r of rows) {
            if (r.list === 'personal') personal++;
            text += `${format(r)}\n`;
          }
          post({ type: 'done', seq: m.seq, text, personal, trending: rows.length - personal });
        } catch (e) {
          post({ type: 'error', message: (e as Error).message });
        }
      });
    });
  });
}
