/**
 * The page side of a streamed generation. Tokens travel on a MessagePort of their own (one per
 * generation, transferred with the call): the worker posts a chunk per token without waiting for
 * any answer, which costs one structured clone per token, where a comlink callback would also
 * send a reply back per token. The call itself still goes through `WorkerConnection.call()`, so
 * the stream settles exactly like every other call: worker death, the total timeout, the caller's
 * signal and `dispose()` end it with a typed error; the time-to-first-token bound is a timer here.
 *
 * The call's reply says how many chunks were posted; the stream ends once it has all of them
 * (the port and the reply are two channels, so the reply may overtake the last chunks).
 */
import { transfer } from 'comlink';
import { InpageError, abortError } from '../errors.ts';
import type { GenerationChunk, GenerationResult, GenerationStream } from '../generation-types.ts';
import type { GenerationFromWorker, PipelineCallToWorker, PipelineRunFromWorker } from '../protocol.ts';
import type { WorkerConnection } from './connection.ts';

/** How long the last chunks may trail the reply before the stream calls it a transport fault. */
const STRAGGLER_MS = 2000;

/** Whether `v` is a well-formed chunk message (trust nothing from the other side). */
function isChunk(v: unknown): v is { type: 'chunk'; seq: number; text: string; tokens: number[] } {
  const c = v as { type?: unknown; seq?: unknown; text?: unknown; tokens?: unknown } | null;
  return typeof c === 'object' && c !== null && c.type === 'chunk' && Number.isInteger(c.seq) && typeof c.text === 'string'
    && Array.isArray(c.tokens) && c.tokens.every((t) => Number.isInteger(t));
}

/** The async-iterable stream the caller holds. */
export class GenerationStreamImpl implements GenerationStream {
  readonly result: Promise<GenerationResult>;
  private settleResult!: { resolve(r: GenerationResult): void; reject(e: InpageError): void };
  private readonly buffered: GenerationChunk[] = [];
  private readonly waiters: { resolve(r: IteratorResult<GenerationChunk>): void; reject(e: unknown): void }[] = [];
  private received = 0;
  private expected: number | undefined;
  private finalize: (() => GenerationResult) | undefined;
  private failure: InpageError | undefined;
  private over = false;
  private straggler: ReturnType<typeof setTimeout> | undefined;
  /** `performance.now()` when the call started, and when its first chunk arrived. */
  readonly startedAt = performance.now();
  firstChunkAt: number | undefined;

  /** @param stop asks the call to end with `reason` (abort, `return()`, dispose) */
  constructor(private readonly stop: (reason: InpageError) => void) {
    this.result = new Promise((resolve, reject) => { this.settleResult = { resolve, reject }; });
    // The caller may only iterate: an unobserved rejection of `result` is not an error of theirs.
    this.result.catch(() => {});
  }

  /** A chunk from the port. */
  push(message: unknown): void {
    if (this.over) return;
    if (!isChunk(message) || message.seq !== this.received) {
      this.fail(new InpageError('INTERNAL', `The generation stream got a malformed or out-of-order chunk (expected seq ${this.received}).`));
      return;
    }
    this.firstChunkAt ??= performance.now();
    const chunk: GenerationChunk = { text: message.text, tokens: message.tokens, index: this.received++ };
    const w = this.waiters.shift();
    if (w) w.resolve({ value: chunk, done: false }); else this.buffered.push(chunk);
    this.maybeEnd();
  }

  /** The call's reply: `chunks` were posted; `finalize` builds the result once all are here. */
  complete(chunks: number, finalize: () => GenerationResult): void {
    if (this.over) return;
    this.expected = chunks;
    this.finalize = finalize;
    this.maybeEnd();
    if (!this.over) {
      this.straggler = setTimeout(() => this.fail(new InpageError('INTERNAL', `The generation ended with ${chunks} chunks posted but ${this.received} arrived.`)), STRAGGLER_MS);
    }
  }

  /** End the stream with `error` (nothing more is delivered). */
  fail(error: InpageError): void {
    if (this.over) return;
    this.over = true;
    this.failure = error;
    clearTimeout(this.straggler);
    this.settleResult.reject(error);
    for (const w of this.waiters.splice(0)) w.reject(error);
  }

  private maybeEnd(): void {
    if (this.expected === undefined || this.received < this.expected || this.over) return;
    this.over = true;
    clearTimeout(this.straggler);
    try {
      this.settleResult.resolve(this.finalize!());
    } catch (e) {
      this.failure = e instanceof InpageError ? e : new InpageError('INTERNAL', String(e));
      this.settleResult.reject(this.failure);
    }
    for (const w of this.waiters.splice(0)) {
      if (this.failure) w.reject(this.failure); else w.resolve({ value: undefined, done: true });
    }
  }

  abort(): void {
    this.stop(abortError('The generation'));
  }

  [Symbol.asyncIterator](): AsyncIterator<GenerationChunk> {
    return {
      next: () => {
        const chunk = this.buffered.shift();
        if (chunk) return Promise.resolve({ value: chunk, done: false });
        if (this.failure) return Promise.reject(this.failure);
        if (this.over) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
      },
      // Leaving a for-await loop early stops the generation.
      return: () => {
        if (!this.over) this.stop(abortError('The generation'));
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

/** What a streamed call needs from its pipeline handle. */
export interface StreamHost {
  what: string;
  pipeId: string;
  nextCallId(): number;
  /** The connection the pipeline lives in (reloading it after a crash), bounded by `signal`. */
  connect(signal: AbortSignal, timeoutMs: number): Promise<WorkerConnection>;
  /** Engine default for an absent bound. */
  defaultTimeoutMs: number;
  /** The call is over (counted in stats by the handle). */
  done(reply: PipelineRunFromWorker, stream: GenerationStreamImpl): GenerationResult;
  /** Tracks the stream so dispose can stop it; returns the untrack function. */
  track(stop: (reason: InpageError) => void): () => void;
}

/**
 * Starts a generation: `call` crosses with a fresh port; chunks stream into the returned stream.
 *
 * @example const s = startStream(host, call, { signal, firstTokenMs: 5000, totalMs: 60000 });
 */
export function startStream(host: StreamHost, call: Extract<PipelineCallToWorker, { kind: 'text-generation' }>, bounds: { signal: AbortSignal | undefined; firstTokenMs: number | undefined; totalMs: number | undefined }): GenerationStreamImpl {
  const ctrl = new AbortController();
  const stop = (reason: InpageError): void => { if (!ctrl.signal.aborted) ctrl.abort(reason); };
  const stream = new GenerationStreamImpl(stop);
  const untrack = host.track(stop);
  const onCallerAbort = (): void => stop(abortError(host.what, bounds.signal?.reason));
  if (bounds.signal?.aborted) onCallerAbort(); else bounds.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const firstTokenMs = bounds.firstTokenMs ?? host.defaultTimeoutMs;
  const totalMs = bounds.totalMs ?? host.defaultTimeoutMs;
  const firstToken = setTimeout(() => {
    if (stream.firstChunkAt === undefined) stop(new InpageError('TIMEOUT', `${host.what}: no token within ${firstTokenMs} ms (time to first token). Raise timeoutMs.firstToken, shorten the prompt, or check the model size and device.`, { timeoutMs: firstTokenMs }));
  }, firstTokenMs);
  const channel = new MessageChannel();
  channel.port1.onmessage = (e: MessageEvent<unknown>) => {
    stream.push(e.data);
    if (stream.firstChunkAt !== undefined) clearTimeout(firstToken);
  };
  const cleanUp = (): void => {
    clearTimeout(firstToken);
    bounds.signal?.removeEventListener('abort', onCallerAbort);
    untrack();
  };
  void (async () => {
    const conn = await host.connect(ctrl.signal, totalMs);
    const callId = host.nextCallId();
    const port = channel.port2;
    const reply = await conn.call((r) => r.pipelineRun(callId, host.pipeId, call, transfer(port, [port])), {
      what: host.what, signal: ctrl.signal, timeoutMs: totalMs,
      cancel: () => { void conn.remote.abort(callId); },
    });
    if (reply.output.kind !== 'text-generation') throw new InpageError('INTERNAL', `${host.what}: the worker answered a '${reply.output.kind}' output.`);
    const out: GenerationFromWorker = reply.output.value;
    stream.complete(out.chunks, () => host.done(reply, stream));
  })().catch((e: unknown) => {
    stream.fail(e instanceof InpageError ? e : new InpageError('INTERNAL', `${host.what}: ${e instanceof Error ? e.message : String(e)}`));
  });
  void stream.result.then(cleanUp, cleanUp).finally(() => channel.port1.close());
  return stream;
}
