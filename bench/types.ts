/** The shape of bench/results.json (types only; shared by run.ts and report.ts). */
import type { RecommendBench } from './recommend.ts';
import type { PipelineBench } from './app/bench.ts';
import type { ContentionResult, ThreeLoadsResult } from './app/contention.ts';
import type { BareBurstResult } from './app/bare-burst.ts';
import type { RepeatViewResult } from './site/repeat-view.ts';
import type { VitalsResult } from './site/vitals.ts';
import type { SearchBench } from './search.ts';
import type { ChatBench } from './chat.ts';

export type Lat = { p50: number; p95: number };
export type Throughput = { batchedMs: number; unbatchedMs: number; firstBatchedMs: number; firstUnbatchedMs: number; batchedPerSec: number; unbatchedPerSec: number; meanBatchSize: number; batchedComputeMs: number; unbatchedComputeMs: number; batching: string };
export type ModelRow = { firstLoadMs: number; loadMs: number; p50: number; p95: number };
export type Phases = { engineMs: number; loadMs: number; runMs: number };
export type ColdWarm = { coldMs: number; warmMs: number; bareWarmMs?: number; coldModelBytes: number; warmModelBytes: number; coldRuntimeBytes: number; warmRuntimeBytes: number; warmSource: string; cold: Phases; warm: Phases };

export interface BenchResults {
  meta: { date: string; reps: number; cores: number; chromium: string; note: string; seconds?: number };
  engine: Record<'wasm' | 'wasmIsolated' | 'webgpu', Record<string, ModelRow>>;
  overhead: Record<'inpage' | 'inpageNoBatch' | 'directWorker' | 'mainThread', Lat>;
  throughput: Record<'recommender' | 'bigMlp', Throughput>;
  longTasks: Record<'inpage' | 'mainThread', { count: number; totalMs: number; longestMs: number; wallMs: number }>;
  coldWarm: { localhost: ColdWarm; broadband: ColdWarm };
  cacheHit: { hitP50: number; hitP95: number; missP50: number; hitRate: number };
  recommend: RecommendBench[] | string;
  transformers: string | { model: string; direct: PipelineBench; inpage: PipelineBench };
  contention?: Record<'wasmSearch' | 'wasmBigMlp' | 'webgpuSearch' | 'webgpuBigMlp' | 'wasmSearchOwnWorker' | 'wasmBigMlpOwnWorker' | 'webgpuSearchOwnWorker' | 'webgpuBigMlpOwnWorker', ContentionResult>;
  bareBurst?: BareBurstResult;
  threeLoads?: Record<'wasm' | 'webgpu', ThreeLoadsResult>;
  /** #19: instant repeat views on the marketing site (bench/site/repeat-view.ts). */
  repeatView?: RepeatViewResult;
  /** #19: Core Web Vitals of the marketing page with and without the script tag (bench/site/vitals.ts). */
  vitals?: VitalsResult;
  /** #15: rec.search() latency on WASM (bench/search.ts). */
  search?: SearchBench[] | string;
  /** #21: streaming generation vs transformers.js directly, and the assistant (bench/chat.ts). */
  chat?: ChatBench;
}
