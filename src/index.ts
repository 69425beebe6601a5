/**
 * Inpage: run AI models inside the visitor's browser tab.
 *
 * @example
 * import { createEngine, InpageError } from 'inpage';
 * const engine = await createEngine();
 * const model = await engine.load({ url: '/models/mlp.onnx' });
 * const out = await model.run({ x: { type: 'float32', dims: [1, 64], data: new Float32Array(64) } });
 */
export { createEngine } from './client/create-engine.ts';
export type { Engine, EngineEvents, EngineTestHooks } from './client/engine-api.ts';
export type { Model } from './client/model.ts';
export { InpageError, type ErrorCode, type ErrorDetails } from './errors.ts';
export type { Tensor, TensorType, TensorInfo, Tensors, TensorDataMap, TensorData } from './tensor.ts';
export type {
  AdapterInfo, BackendMeasurement, BackendName, BackendPreference, BatchOptions, EngineInfo, EngineOptions, LoadOptions, LoadProgress,
  ModelBackend, ModelBytesSource, ModelInfo, ModelSource, ModelVariant, RemoteFallback, ResultCacheOptions, RunOptions,
  StoredModelInfo, StoreKind,
} from './types.ts';
export type {
  ClassificationLabel, FeatureExtractionOptions, FeatureExtractionPipeline, GenericPipeline, PipelineCallOptions, PipelineDtype,
  PipelineFile, PipelineFor, PipelineInfo, PipelineOptions, PipelineProgress, PipelineTask, TextClassificationOptions,
  TextClassificationPipeline, ZeroShotClassificationOptions, ZeroShotClassificationPipeline, ZeroShotClassificationResult,
} from './pipeline-types.ts';
export type {
  ChatMessage, ChatRole, ContextPolicy, FinishReason, GenerationChunk, GenerationOptions, GenerationResult, GenerationStream,
  GenerationTimeout, GenerationUsage,
} from './generation-types.ts';
export type { TextGenerationPipeline } from './pipeline-types.ts';
export type { ChatApi, ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatCompletionUsage, ChatRequestOptions } from './chat/completions.ts';
export type { EngineStats, GenerationStats, LatencyStats } from './stats/counters.ts';
export { estimateSavings, projectDaily, type SavingsEstimate, type Usage } from './stats/savings.ts';
export { PRICING_EXAMPLES, TYPICAL_PERSONALISATION_REQUEST, type Pricing } from './stats/pricing.ts';
export { ORT_VERSION, INPAGE_VERSION } from './version.ts';
export { createRecommender } from './recommend/index.ts';
export { createAssistant, checkGrounding } from './assistant/index.ts';
export type { Assistant, AssistantAnswer, AssistantOptions, AnswerSource, LiveProduct, ProductSource, KnowledgeManifest } from './assistant/index.ts';
export type {
  ItemInfo, Recommendation, RecommendFilter, RecommendOptions, Recommender, RecommenderOptions, Strategy, TrackInput, TrackedEvent,
  RecEventType, TrackEventType, RecommenderManifest, ReasonBasis, RecentSearch, SearchOptions, SearchResult,
} from './recommend/index.ts';
export { parseExperiment, type Assignment, type AssignmentKind, type ExperimentConfig, type ExperimentVariant, type VariantList } from './experiments/index.ts';
export { parseRules, type ItemFacts, type MerchRule, type RuleMatch } from './recommend/rules.ts';
export { toGa4, type AnalyticsOptions, type AttributionOptions, type ExposureEvent, type Ga4DataLayerEvent, type InpageEvent, type InpageEventItem, type InpageEventType, type ListContext, type VariantKpis } from './kpis/index.ts';
export { createConsent, forgetEverything, DEFAULT_RETENTION_DAYS } from './privacy/index.ts';
export type {
  Consent, ConsentGate, ConsentMode, ConsentModeOptions, ConsentOptions, ConsentSource, ConsentStatus, ErasedLocation, ForgetOptions, ForgetReport,
  PersistStatus, RetentionOptions, StorageArea, StoragePersistence, TcfOptions,
} from './privacy/index.ts';
