/**
 * A worker thread of `inpage recommend`: loads the package once, then turns chunks of subscribers
 * into output text. Started through bin/inpage.js (so the source checkout and the published bundle
 * start workers the same way); `main()` hands over to {@link runRecommendWorker} when it runs in
 * one.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { unpackChunk, type PackedChunk } from './histories.ts';
import type { NodeRuntime } from './node-engine.ts';
import { formatRow, type OutputFormat, type UrlTemplates } from './output.ts';
import { openPackage, subscriberList, type BatchRequest } from './subscriber-list.ts';

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
  post({ type: 'ready', runtime: opened.runtime });
  return new Promise<number>((resolve) => {
    port.on('message', (m: ToWorker) => {
      if (m.type === 'close') {
        port.close();
        void opened.dispose().then(() => resolve(0));
        return;
      }
      // Every subscriber of the chunk at once: their model runs stack into a few batched runs.
      Promise.all(unpackChunk(m.chunk).map((s) => subscriberList(pkg, s, setup.request, setup.now))).then(
        (lists) => {
          let personal = 0;
          const lines = lists.map((r) => {
            if (r.list === 'personal') personal++;
            return `${formatRow(pkg, r, setup.format, setup.request.k, setup.urls)}\n`;
          });
          post({ type: 'done', seq: m.seq, text: lines.join(''), personal, trending: lists.length - personal });
        },
        (e: unknown) => post({ type: 'error', message: (e as Error).message }),
      );
    });
  });
}
