/**
 * The runner's journal record types (`search.*`, `ga.*`, `eval.*`, `generation.*`), one zod schema
 * per type. They sit in the same JSON Lines journal as libs/tracking's `run.*` records; the journal
 * adds `seq` and `time`. The writer validates every body with {@link parseRecordBody} before it is
 * appended and every reader parses records read back with {@link parseRunnerRecord} (see
 * `read.ts`), so a foreign or damaged record is an error naming the file and line, never a crash
 * later. A new record type gets its schema here (in {@link RECORD_SCHEMAS}).
 */
import { z } from 'zod';
import { searchConfigSchema, type SearchConfig } from '../config/schema.js';

import type { EpochMetrics, EvaluationResult } from '@slt/models';

export type { EpochMetrics, EvaluationResult };

const num = z.number();
const int = z.number().int();
const str = z.string();
/** A number that JSON may have turned into null (NaN, Infinity): read back as NaN. */
const jsonNumber = z.union([z.number(), z.null().transform(() => Number.NaN)]);

/** What the journal adds to every record. */
export interface RecordEnvelope {
  /** Sequence number in the journal (gapless). */
  seq: number;
  /** ISO time the record was appended. */
  time: string;
}

const envelopeShape = { seq: int, time: str };

/** Metrics of one epoch (libs/models `EpochMetrics`). */
export const epochMetricsSchema = z.looseObject({
  epoch: int, trainLoss: jsonNumber, trainAccuracy: jsonNumber, valLoss: jsonNumber, valAccuracy: jsonNumber, seconds: jsonNumber,
});

/** One evaluation's result (libs/models `EvaluationResult`; fields added there pass through). */
export const evaluationResultSchema = z.looseObject({
  fitness: jsonNumber,
  testAccuracy: jsonNumber,
  epochs: z.array(epochMetricsSchema),
  trainableParams: num,
  totalParams: num,
  trainableLayers: int,
  seconds: jsonNumber,
  imagesPerSecond: jsonNumber,
  backend: str,
  prefixReused: int,
  testConfusion: z.array(z.array(num)).optional(),
  testMacroPrecision: jsonNumber.optional(),
  testMacroRecall: jsonNumber.optional(),
  error: str.optional(),
});

// Nested objects are checked loosely (fields other libs add pass through) but typed as the libs'
// own interfaces; the output of each schema must stay assignable to that interface.
type Assignable<A, B> = [A] extends [B] ? true : never;
const _resultCompatible: Assignable<z.output<typeof evaluationResultSchema>, EvaluationResult> = true;
void _resultCompatible;
const typed = <T>(schema: z.ZodType): z.ZodType<T> => schema as unknown as z.ZodType<T>;
const epochMetrics = typed<EpochMetrics>(epochMetricsSchema);
const evaluationResult = typed<EvaluationResult>(evaluationResultSchema);

/** Whether an evaluation belongs to the GA or is a baseline. */
export const evalKindSchema = z.enum(['ga', 'baseline']);
/** Whether an evaluation belongs to the GA or is a baseline. */
export type EvalKind = z.infer<typeof evalKindSchema>;

/** A config as recorded: validated, defaults filled in, input as [h, w], seed set. */
const recordedConfigSchema = searchConfigSchema.extend({
  input: z.tuple([int, int]),
  seed: int,
}) as unknown as z.ZodType<SearchConfig & { seed: number }>;

const identityShape = {
  /** `g<generation>/<index>` for GA genomes, `baseline/<label>` for baselines. */
  key: str,
  kind: evalKindSchema,
  generation: int,
  index: int,
  /** The layer mask that trains (for `--genes blocks` the GA genome expanded to every weighted layer of each block). */
  mask: z.string().regex(/^[01]*$/, 'expected a string of 0 and 1'),
  /** The GA genome, only where it differs from `mask` (`--genes blocks`); resume replays the GA with it. */
  genome: z.string().regex(/^[01]*$/, 'expected a string of 0 and 1').optional(),
  /** Baseline name (freeze-all, train-all, heuristic, random-1, ...). */
  label: str.optional(),
};

/** Where an evaluation ran: pool worker slot and the GPU(s) it saw (CUDA_VISIBLE_DEVICES, '' when none). */
const placementShape = {
  /** Pool worker slot (0 with in-process evaluation). */
  worker: int.optional(),
  /** CUDA_VISIBLE_DEVICES of the worker that ran it ('' when none was set). */
  device: str.optional(),
};

/** Which evaluation a record or a row is about. */
export const evalIdentitySchema = z.looseObject(identityShape);
/** Which evaluation a record or a row is about. */
export type EvalIdentity = z.infer<typeof evalIdentitySchema>;

const record = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) => z.looseObject({ type: z.literal(type), ...shape });

/** A search began: everything needed to rebuild it (resume) or show it (TUI). */
export const searchStartedSchema = record('search.started', {
  searchId: str,
  /** The validated config, with `seed` always set. */
  config: recordedConfigSchema,
  /** Why `config.workers` is what it is when slt chose it from the budget (absent when `workers` was given, and in older journals). */
  workersReason: str.optional(),
  /** What the search runs: the GA, the baselines, or both (compare). */
  mode: z.enum(['search', 'baselines', 'compare']),
  model: typed<{ name: string; genomeLength: number; layerNames: string[]; lockedGenes: number[] }>(
    z.looseObject({ name: str, genomeLength: int, layerNames: z.array(str), lockedGenes: z.array(int) }),
  ),
  dataset: typed<{ name: string; classNames: string[]; counts: { train: number; val: number; test: number }; shape: number[] }>(z.looseObject({
    name: str, classNames: z.array(str), counts: z.looseObject({ train: int, val: int, test: int }), shape: z.array(int),
  })),
  /** Evaluations the GA asks for in total (population x generations), cache hits included. */
  totalEvaluations: int,
  /** Baseline evaluations planned (0 unless mode is baselines/compare). */
  totalBaselines: int,
  /** The tracking run key of the search's parent run. */
  parentRunKey: str,
  /** The MLflow store of the search, resolved at start (absolute folder or http(s) URL); resume and sync reuse it from any folder. */
  tracking: z.looseObject({ uri: str }).optional(),
  /**
   * Set when the search is one model of a study: the study's id, this model's label, the study
   * journal's id and its run key (each MLflow store links this search's run to its own copy of
   * the study run through them), and the study run's id in the first store (journals before the
   * journal id and run key were recorded link through it).
   */
  study: z.looseObject({ studyId: str, label: str, journalId: str.optional(), runKey: str.optional(), parentRunId: str.optional() }).optional(),
  pid: int,
  host: str,
});

/** A search process (re)started on an existing journal. */
export const searchResumedSchema = record('search.resumed', { pid: int, host: str });

/**
 * What actually ran (written once the workers are ready, at every start and resume): slt's version
 * and commit, the backend the workers chose, the GA's resolved options, the weights with their
 * sha256 and the data set's fingerprint. `slt resume` refuses data or weights that differ.
 */
export const searchProvenanceSchema = record('search.provenance', {
  slt: z.looseObject({ version: str, commit: str }),
  /** Backend the workers (or this process) actually run, e.g. 'wasm'. */
  backend: str,
  workers: int,
  /** CUDA_VISIBLE_DEVICES of each worker slot ('' when none). */
  devices: z.array(str),
  /** The GA's resolved options (presets and defaults applied); absent for baselines only. */
  ga: z.record(str, z.unknown()).optional(),
  weights: z.looseObject({ source: str, sha256: str }),
  data: z.looseObject({ path: str, fingerprint: str }),
});

/** The GA's whole state, taken just before it is asked for generation `generation`. */
export const gaSnapshotSchema = record('ga.snapshot', { generation: int, state: z.unknown() });

/** One genome of a generation as asked. */
export const askedGenomeSchema = z.object({
  index: int,
  /** The layer mask that trains (see `genome`). */
  mask: str,
  /** The GA genome, only where it differs from `mask` (`--genes blocks`). */
  genome: str.optional(),
  /** A cache hit: evaluated before in this search, not trained again. */
  cached: z.boolean(),
  /** The cached fitness (cache hits only). */
  fitness: num.optional(),
});

/** A generation was asked from the GA. */
export const generationStartedSchema = record('generation.started', { generation: int, genomes: z.array(askedGenomeSchema) });

/** An evaluation started training. */
export const evalStartedSchema = record('eval.started', {
  ...identityShape,
  /** Number of set bits. */
  trainableLayers: int,
  epochs: int,
  /** Seed of the fine-tune (head initialisation, batch order): derived from the search's seed and the mask's layers with weights. */
  seed: int.optional(),
  /** Attempt number (1 = first try; more after a failed attempt was retried). */
  attempt: int.optional(),
});

/** One epoch of an evaluation finished. */
export const evalEpochSchema = record('eval.epoch', { key: str, metrics: epochMetrics });

/** An evaluation finished with a real fitness. Exactly once per key. (Journals before failures had their own record may hold `result.error` here: read as a failure.) */
export const evalFinishedSchema = record('eval.finished', {
  ...identityShape,
  ...placementShape,
  fitness: jsonNumber,
  result: evaluationResult,
  /** Tracking run key of the evaluation's child run. */
  runKey: str,
});

/** An attempt of an evaluation failed and is tried again in a fresh worker. */
export const evalRetrySchema = record('eval.retry', {
  key: str,
  /** The attempt that failed (1-based). */
  attempt: int,
  error: str,
  ...placementShape,
});

/** An evaluation failed on every attempt: no fitness, not cached, told to the GA as a failure. */
export const evalFailedSchema = record('eval.failed', {
  ...identityShape,
  ...placementShape,
  /** Why the last attempt failed. */
  error: str,
  /** Attempts made (1 + retries). */
  attempts: int,
  /** Tracking run key of the evaluation's child run (ended FAILED). */
  runKey: str,
  /** Set bits of the mask. */
  trainableLayers: int,
});

/** A cache hit was told to the GA without training. */
export const evalCachedSchema = record('eval.cached', { key: str, generation: int, index: int, mask: str, genome: str.optional(), fitness: num });

/** Every genome of a generation has its fitness (or failed). */
export const generationFinishedSchema = record('generation.finished', {
  generation: int,
  best: jsonNumber,
  mean: jsonNumber,
  worst: jsonNumber,
  bestMask: str,
  bestTrainableParams: num,
  evaluations: int,
  cacheHits: int,
  /** Members whose evaluation failed (absent in older journals). */
  failures: int.optional(),
});

/** The baseline masks about to be trained. */
export const baselinesStartedSchema = record('search.baselines', { baselines: z.array(typed<{ label: string; mask: string }>(z.looseObject({ label: str, mask: str }))) });

/** A line for the log pane. */
export const searchLogSchema = record('search.log', { level: z.enum(['info', 'warn', 'error']), message: str });

/** The search was paused by a control command. */
export const searchPausedSchema = record('search.paused', {});
/** The search was continued by a control command. */
export const searchContinuedSchema = record('search.continued', {});

/** The search stopped before its end (Ctrl-C, `stop`); the journal is resumable. */
export const searchInterruptedSchema = record('search.interrupted', { reason: str });

/** A row of the final population. */
export const finalGenomeSchema = z.object({ mask: str, fitness: jsonNumber });

/** The fine-tuned weights of the best genome (or of a baseline) saved for `slt predict`. */
export const modelSavedSchema = record('search.model', {
  /** Evaluation key (`g1/3`, `baseline/train-all`). */
  key: str,
  /** Folder (absolute) with model.json, weights and slt-model.json. */
  dir: str,
  /** Test accuracy of the saved weights as measured when saving. */
  testAccuracy: jsonNumber,
  /** Files of `dir` (relative names), logged as MLflow artifacts under `model/`. */
  files: z.array(str).optional(),
});

/** The search completed. */
export const searchFinishedSchema = record('search.finished', {
  best: z.looseObject({ key: str, mask: str, fitness: jsonNumber, testAccuracy: jsonNumber, trainableLayers: int, trainableParams: num }).optional(),
  /** The last generation's genomes with their fitness. */
  population: z.array(finalGenomeSchema),
  seconds: jsonNumber,
  /** Evaluations that failed (after retries). */
  failures: int.optional(),
  /** Files written in the search folder before this record (relative names), logged as artifacts of the parent run. */
  artifacts: z.array(str).optional(),
});

/** The search failed as a whole (not one evaluation). */
export const searchFailedSchema = record('search.failed', {
  error: str,
  /** Keys of the failed evaluations when the search stopped for too many failures. */
  failedKeys: z.array(str).optional(),
});

/** Every runner record type's schema, by type. */
export const RECORD_SCHEMAS = {
  'search.started': searchStartedSchema,
  'search.resumed': searchResumedSchema,
  'search.provenance': searchProvenanceSchema,
  'ga.snapshot': gaSnapshotSchema,
  'generation.started': generationStartedSchema,
  'eval.started': evalStartedSchema,
  'eval.epoch': evalEpochSchema,
  'eval.finished': evalFinishedSchema,
  'eval.retry': evalRetrySchema,
  'eval.failed': evalFailedSchema,
  'eval.cached': evalCachedSchema,
  'generation.finished': generationFinishedSchema,
  'search.baselines': baselinesStartedSchema,
  'search.log': searchLogSchema,
  'search.paused': searchPausedSchema,
  'search.continued': searchContinuedSchema,
  'search.interrupted': searchInterruptedSchema,
  'search.model': modelSavedSchema,
  'search.finished': searchFinishedSchema,
  'search.failed': searchFailedSchema,
} as const;

/** A runner record type. */
export type RunnerRecordType = keyof typeof RECORD_SCHEMAS;

export type SearchStartedRecord = z.infer<typeof searchStartedSchema>;
export type SearchResumedRecord = z.infer<typeof searchResumedSchema>;
export type SearchProvenanceRecord = z.infer<typeof searchProvenanceSchema>;
export type GaSnapshotRecord = z.infer<typeof gaSnapshotSchema>;
export type AskedGenome = z.infer<typeof askedGenomeSchema>;
export type GenerationStartedRecord = z.infer<typeof generationStartedSchema>;
export type EvalStartedRecord = z.infer<typeof evalStartedSchema>;
export type EvalEpochRecord = z.infer<typeof evalEpochSchema>;
export type EvalFinishedRecord = z.infer<typeof evalFinishedSchema>;
export type EvalRetryRecord = z.infer<typeof evalRetrySchema>;
export type EvalFailedRecord = z.infer<typeof evalFailedSchema>;
export type EvalCachedRecord = z.infer<typeof evalCachedSchema>;
export type GenerationFinishedRecord = z.infer<typeof generationFinishedSchema>;
export type BaselinesStartedRecord = z.infer<typeof baselinesStartedSchema>;
export type SearchLogRecord = z.infer<typeof searchLogSchema>;
/** The search was paused or continued by a control command. */
export type SearchPausedRecord = z.infer<typeof searchPausedSchema> | z.infer<typeof searchContinuedSchema>;
export type SearchInterruptedRecord = z.infer<typeof searchInterruptedSchema>;
export type FinalGenome = z.infer<typeof finalGenomeSchema>;
export type ModelSavedRecord = z.infer<typeof modelSavedSchema>;
export type SearchFinishedRecord = z.infer<typeof searchFinishedSchema>;
export type SearchFailedRecord = z.infer<typeof searchFailedSchema>;

/** Every record type the runner writes (without the envelope). */
export type RunnerRecordBody = z.infer<(typeof RECORD_SCHEMAS)[RunnerRecordType]>;

/** A runner record as read back from the journal. */
export type RunnerRecord = RunnerRecordBody & RecordEnvelope;

/** Live progress inside an epoch; emitted as an event only, never journaled. */
export interface EvalProgressEvent {
  type: 'eval.progress';
  key: string;
  epoch: number;
  batch: number;
  batches: number;
  imagesPerSecond: number;
  /** ISO time. */
  time: string;
}

/** The setup phases of a search before (and between) its evaluations, in order. */
export const SETUP_PHASES = ['data', 'weights', 'model', 'workers'] as const;

/**
 * A setup phase (loading data N/M, checking weights, building the model, starting workers);
 * emitted as an event only, never journaled (also written to progress.json for detached readers).
 */
export interface SearchPhaseEvent {
  type: 'search.phase';
  phase: (typeof SETUP_PHASES)[number];
  /** What is going on, e.g. `loading the data set`. */
  message: string;
  /** Items done / total when known (files read, workers ready). */
  done?: number;
  total?: number;
  /** ISO time. */
  time: string;
}

/** What `onEvent` receives and the reducer accepts: a journaled record or a live-only event. */
export type SearchEvent = RunnerRecord | EvalProgressEvent | SearchPhaseEvent | (RecordEnvelope & { type: string; [k: string]: unknown });

/** The record types the runner owns (prefixes of the journal's runner records). */
export const RUNNER_RECORD_PREFIXES = ['search.', 'ga.', 'eval.', 'generation.'] as const;

/** True when `type` is one of the runner's record types (not a tracking `run.*` record). */
export function isRunnerRecordType(type: string): boolean {
  return RUNNER_RECORD_PREFIXES.some((p) => type.startsWith(p));
}

/** Whether a parsed event (see `toSearchEvent`, which checks every runner record with its schema) is one of the runner's records, typed by its `type`. */
export function isRunnerRecord(e: SearchEvent): e is RunnerRecord {
  return isRunnerRecordType(e.type) && 'seq' in e;
}

/** Problems of a zod parse as `path: message` lines. */
export function formatRecordIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(record)'}: ${i.message}`).join('; ');
}

/**
 * Validates a record body against its type's schema (what the writer appends).
 * @returns the parsed body, or `{ error }` naming the type and the bad fields.
 */
export function checkRecord(raw: unknown): { ok: true; record: RunnerRecordBody } | { ok: false; error: string } {
  const type = (raw as { type?: unknown } | null)?.type;
  if (typeof type !== 'string') return { ok: false, error: 'not a record (no string `type`)' };
  const schema = (RECORD_SCHEMAS as Record<string, z.ZodType | undefined>)[type];
  if (!schema) return { ok: false, error: `unknown record type ${JSON.stringify(type)} (not written by this version of slt)` };
  const res = schema.safeParse(raw);
  if (!res.success) return { ok: false, error: `${type} record: ${formatRecordIssues(res.error.issues)}` };
  return { ok: true, record: res.data as RunnerRecordBody };
}

/** The key of a GA evaluation. */
export const gaKey = (generation: number, index: number): string => `g${generation}/${index}`;
/** The key of a baseline evaluation. */
export const baselineKey = (label: string): string => `baseline/${label}`;

/** True for a finished record that carries a failure (journals written before `eval.failed` existed). */
export function isLegacyFailure(r: EvalFinishedRecord): boolean {
  return r.result.error !== undefined;
}

/** The envelope schema (for readers of live events). */
export const envelopeSchema = z.looseObject(envelopeShape);
