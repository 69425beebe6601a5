/**
 * `createAssistant()`: a support assistant that answers on the device from the shop's own pages.
 * It loads a knowledge package (knowledge.ts; files checked against their SHA-256), runs the
 * question encoder through `engine.pipeline('feature-extraction')`, retrieves (retrieve.ts) and
 * answers with the best passage quoted and linked, plus matching products with their live price
 * and stock — or says it does not know and how to reach a person. With a generation model
 * configured it writes the answer from the retrieved passages only, and keeps it only when it
 * states nothing the sources do not (grounding.ts); otherwise it quotes.
 *
 * @example
 * const assistant = await createAssistant({ engine, knowledgeUrl: '/knowledge/knowledge.json' });
 * const a = await assistant.ask('How long do I have to send boots back?');
 * // a.kind 'answer', a.quote.text 'You can return unused items within 30 days …', a.sources[0].url '/help/returns#return-period'
 */
import { InpageError, toInpageError } from '../errors.ts';
import type { ChatMessage } from '../generation-types.ts';
import type { PipelineFor, PipelineOptions, PipelineTask, TextGenerationPipeline } from '../pipeline-types.ts';
import { checkGrounding } from './grounding.ts';
import { parseDocs, parseKnowledgeManifest, type KnowledgeDoc, type KnowledgeManifest } from './knowledge.ts';
import { KnowledgeIndex } from './retrieve.ts';
import { liveCatalog, type LiveProduct, type ProductSource } from './products.ts';

/** What the assistant needs from an engine (`createEngine()` returns one). */
export interface AssistantEngineLike {
  pipeline<T extends PipelineTask>(task: T, model: string, options?: PipelineOptions): Promise<PipelineFor<T>>;
}

/** Options of {@link createAssistant}. */
export interface AssistantOptions {
  engine: AssistantEngineLike;
  /** URL of the package's knowledge.json. */
  knowledgeUrl: string;
  /** What "I don't know" says and links to. Default: "I don't know — please contact us." */
  contact?: { text?: string; url?: string };
  /** Live product facts; default: the package's catalogue URL, re-read at most once a minute. */
  products?: ProductSource;
  /**
   * A generation model (a causal LM with a chat template) to write answers from the passages.
   * Without it the assistant quotes. See docs/CHAT.md for a real small model.
   */
  generator?: { model: string; modelHost?: string; dtype?: PipelineOptions['dtype']; maxNewTokens?: number; /** Passages given to the model. Default 2. */ passages?: number };
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  signal?: AbortSignal;
}

/** A source the answer comes from. */
export interface AnswerSource {
  id: string;
  title: string;
  heading: string;
  url: string;
}

/** The assistant's reply. */
export interface AssistantAnswer {
  question: string;
  /** `'answer'`: from the pages; `'unknown'`: not enough evidence, `text` says how to reach a person. */
  kind: 'answer' | 'unknown';
  text: string;
  /** The best passage, verbatim, with its source. */
  quote?: AnswerSource & { text: string };
  sources: AnswerSource[];
  products: LiveProduct[];
  /** Whether `text` was written by the generation model (and passed the grounding check). */
  generated: boolean;
  /** Why a generated answer was replaced by the quote. */
  refused?: string;
  /** Contact link for 'unknown'. */
  contactUrl?: string;
  /** Page-side time to answer. */
  ms: number;
  /**
   * What a hosted chatbot would have billed for this answer: the question, instructions and the
   * passages in, the answer out, estimated at 4 characters per token (no tokenizer runs for it).
   */
  usageAvoided: { inputTokens: number; outputTokens: number };
}

/** A loaded assistant. */
export interface Assistant {
  ask(question: string, options?: { signal?: AbortSignal }): Promise<AssistantAnswer>;
  readonly manifest: KnowledgeManifest;
  dispose(): Promise<void>;
}

const INSTRUCTIONS = 'You answer customer questions for an online shop. Use only the passages below. If they do not answer the question, say you do not know. Be brief.';
const tokensOf = (chars: number): number => Math.ceil(chars / 4);

async function sha256(bytes: Uint8Array): Promise<string | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return undefined;
  return Array.from(new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Fetches a package file, checked against knowledge.json's SHA-256. */
async function packageFile(fetchFn: NonNullable<AssistantOptions['fetch']>, manifest: KnowledgeManifest, base: string, name: string, signal?: AbortSignal): Promise<Uint8Array> {
  const url = new URL(name, base).href;
  let res: Response;
  try {
    res = await fetchFn(url, signal === undefined ? {} : { signal });
  } catch (e) {
    throw toInpageError(e, 'MODEL_FETCH_FAILED', `Fetching ${url}`);
  }
  if (!res.ok) throw new InpageError('MODEL_FETCH_FAILED', `Fetching ${url} failed with HTTP ${res.status}.`, { url, status: res.status });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const want = manifest.files[name];
  const got = await sha256(bytes);
  if (want && got !== undefined && got !== want.sha256) throw new InpageError('INTEGRITY_MISMATCH', `${url}: SHA-256 ${got.slice(0, 12)}… does not match knowledge.json's ${want.sha256.slice(0, 12)}…; re-deploy the package from one build.`, { url });
  return bytes;
}

/**
 * Loads the package and the encoder; resolves when the assistant can answer.
 *
 * @example const assistant = await createAssistant({ engine, knowledgeUrl: '/knowledge/knowledge.json', contact: { url: '/contact' } });
 */
export async function createAssistant(opts: AssistantOptions): Promise<Assistant> {
  const fetchFn = opts.fetch ?? ((u: string, i?: RequestInit) => globalThis.fetch(u, i));
  const base = new URL(opts.knowledgeUrl, globalThis.location?.href).href;
  const signal = opts.signal;
  const head = await packageFile(fetchFn, { files: {} } as unknown as KnowledgeManifest, base, base, signal);
  let json: unknown;
  try { json = JSON.parse(new TextDecoder().decode(head)); } catch (e) { throw new InpageError('MANIFEST_INVALID', `${base} is not valid JSON (${(e as Error).message}).`); }
  const manifest = parseKnowledgeManifest(json, base);
  const [docsBytes, vecBytes] = await Promise.all([packageFile(fetchFn, manifest, base, manifest.passages, signal), packageFile(fetchFn, manifest, base, manifest.vectors, signal)]);
  const docs: KnowledgeDoc[] = parseDocs(JSON.parse(new TextDecoder().decode(docsBytes)), manifest, manifest.passages);
  const D = manifest.dims.embedding;
  if (vecBytes.byteLength !== manifest.dims.passages * D * 4) throw new InpageError('MANIFEST_INVALID', `${manifest.vectors} has ${vecBytes.byteLength} bytes; ${manifest.dims.passages} passages × ${D} dims need ${manifest.dims.passages * D * 4}.`);
  const vectors = new Float32Array(vecBytes.buffer.slice(vecBytes.byteOffset, vecBytes.byteOffset + vecBytes.byteLength));
  const index = new KnowledgeIndex(docs, vectors, D, manifest.retrieval);
  const encoder = await opts.engine.pipeline('feature-extraction', manifest.encoder.model, { modelHost: new URL('./{model}/', base).href, ...(signal ? { signal } : {}) });
  const products = opts.products ?? liveCatalog(manifest.catalog === undefined ? undefined : new URL(manifest.catalog, base).href, fetchFn);
  let generator: Promise<TextGenerationPipeline> | undefined;
  const contactText = opts.contact?.text ?? "I don't know the answer to that from our help pages — please contact us and a person will help.";

  const encode = async (text: string, sig?: AbortSignal): Promise<Float32Array | undefined> => {
    const out = await encoder(text, sig === undefined ? { pooling: 'mean', normalize: true } : { pooling: 'mean', normalize: true, signal: sig });
    const v = out.data as Float32Array;
    let n = 0;
    for (const x of v) n += x * x;
    return Number.isFinite(n) && n > 1e-12 ? v : undefined;
  };

  const write = async (question: string, passages: KnowledgeDoc[], sig?: AbortSignal): Promise<string> => {
    const g = opts.generator!;
    generator ??= opts.engine.pipeline('text-generation', g.model, { ...(g.modelHost === undefined ? {} : { modelHost: g.modelHost }), ...(g.dtype === undefined ? {} : { dtype: g.dtype }) });
    const gen = await generator;
    const messages: ChatMessage[] = [
      { role: 'system', content: `${INSTRUCTIONS}\n\n${passages.map((p) => `[${p.title} — ${p.heading}] ${p.text}`).join('\n\n')}` },
      { role: 'user', content: question },
    ];
    const r = await gen(messages, { max_new_tokens: g.maxNewTokens ?? 96, context: 'reject', ...(sig ? { signal: sig } : {}) }).result;
    return r.text.trim();
  };

  return {
    manifest,
    async ask(question, o = {}) {
      if (typeof question !== 'string' || question.trim() === '') throw new InpageError('INPUT_INVALID', `assistant.ask(question): question must be a non-empty string, got ${JSON.stringify(question)}.`);
      if (question.length > 2000) throw new InpageError('INPUT_INVALID', `assistant.ask(question): at most 2000 characters, got ${question.length}.`);
      const t0 = performance.now();
      const r = index.retrieve(question, await encode(question, o.signal));
      const shown = r.products.length > 0 ? await products(r.products.map((h) => docs[h.index]!.itemId ?? docs[h.index]!.id), o.signal) : [];
      // Source links are the site's page links, relative to the page (not to the package).
      const sourceOf = (d: KnowledgeDoc): AnswerSource => ({ id: d.id, title: d.title, heading: d.heading, url: new URL(d.url, globalThis.location?.href ?? base).href });
      if (r.abstain) {
        const text = contactText;
        return {
          question, kind: 'unknown', text, sources: [], products: shown, generated: false, ms: performance.now() - t0,
          ...(opts.contact?.url ? { contactUrl: opts.contact.url } : {}),
          usageAvoided: { inputTokens: tokensOf(INSTRUCTIONS.length + question.length), outputTokens: tokensOf(text.length) },
        };
      }
      const top = r.ranked.slice(0, 2).map((h) => docs[h.index]!);
      const best = top[0]!;
      let text = best.text;
      let generated = false;
      let refused: string | undefined;
      if (opts.generator) {
        const given = top.slice(0, Math.max(1, opts.generator.passages ?? 2));
        let written: string | undefined;
        try {
          written = await write(question, given, o.signal);
        } catch (e) {
          // Passages that do not fit the model's context: quote instead (never a cut prompt).
          if (!(e instanceof InpageError && e.code === 'INPUT_INVALID')) throw e;
          refused = `the passages do not fit the generation model's context (${e.message})`;
        }
        if (written !== undefined) {
          const verdict = checkGrounding(written, [...given.map((p) => `${p.heading} ${p.text}`), ...shown.map((p) => `${p.title} ${p.price}`)], shown.length > 0);
          if (verdict.ok) { text = written; generated = true; } else refused = verdict.reason;
        }
      }
      const context = top.reduce((n, p) => n + p.text.length + p.heading.length, 0);
      return {
        question, kind: 'answer', text, quote: { ...sourceOf(best), text: best.text }, sources: top.map(sourceOf), products: shown, generated,
        ...(refused === undefined ? {} : { refused }),
        ms: performance.now() - t0,
        usageAvoided: { inputTokens: tokensOf(INSTRUCTIONS.length + question.length + context), outputTokens: tokensOf(text.length) },
      };
    },
    async dispose() {
      await encoder.dispose().catch(() => {});
      if (generator) await (await generator.catch(() => undefined))?.dispose().catch(() => {});
    },
  };
}
