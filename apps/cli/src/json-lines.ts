/**
 * `--json` output of `slt search`, `slt baselines`, `slt compare`, `slt resume` and `slt predict`:
 * one JSON object per line, for scripts that follow a search. One zod schema per line type, shared
 * by the writer (the CLI builds each line as the schema's input type) and readers
 * (`parseSearchJsonLines`, `parsePredictionJsonLines`; `@slt/cli/json-lines` loads nothing else).
 * Numbers that are NaN in slt (a failed evaluation's fitness) are `null` in JSON.
 */
import { z } from 'zod';

const num = z.number().nullable();
const int = z.number().int();
const mask = z.string().regex(/^[01]*$/, 'expected a string of 0 and 1');

/** The search began: its id, mode, resolved config, model and data set. */
export const searchLineSchema = z.looseObject({
  type: z.literal('search'),
  searchId: z.string(),
  mode: z.enum(['search', 'baselines', 'compare']),
  /** The validated config as journaled (defaults filled in, seed set). */
  config: z.record(z.string(), z.unknown()),
  model: z.string(),
  genomeLength: int,
  dataset: z.looseObject({
    name: z.string(),
    classNames: z.array(z.string()),
    counts: z.object({ train: int, val: int, test: int }),
    shape: z.array(int),
  }),
});

/** One evaluation finished (a GA genome or a baseline). */
export const evaluationLineSchema = z.looseObject({
  type: z.literal('evaluation'),
  key: z.string(),
  kind: z.enum(['ga', 'baseline']),
  generation: int,
  index: int,
  label: z.string().optional(),
  mask,
  fitness: num,
  testAccuracy: num,
  trainableLayers: int,
  trainableParams: z.number(),
  seconds: num,
  imagesPerSecond: num,
  error: z.string().optional(),
});

/** A genome evaluated before in this search: its fitness, not trained again. */
export const cachedLineSchema = z.looseObject({ type: z.literal('cached'), key: z.string(), generation: int, index: int, mask, fitness: z.number() });

/** A generation has every fitness. */
export const generationLineSchema = z.looseObject({
  type: z.literal('generation'),
  generation: int,
  best: num,
  mean: num,
  worst: num,
  bestMask: mask,
  evaluations: int,
  cacheHits: int,
});

/** The best genome (or baseline) of a search. */
const bestSchema = z.object({ key: z.string(), mask, fitness: z.number(), testAccuracy: num.optional(), trainableLayers: int, trainableParams: z.number().optional() });

/** The search ended (the last line). */
export const resultLineSchema = z.looseObject({
  type: z.literal('result'),
  searchId: z.string(),
  status: z.string(),
  dir: z.string(),
  journalPath: z.string(),
  best: bestSchema.nullable(),
  population: z.array(z.object({ mask, fitness: num })),
  evaluations: int,
  cacheHits: int,
  failures: int,
  retries: int,
  seconds: z.number(),
  /** MLflow runs not delivered yet (`slt sync DIR` delivers them). */
  pendingRuns: int,
  trackingUri: z.string().optional(),
  /** `slt resume` of a search that had finished: nothing ran. */
  alreadyFinished: z.literal(true).optional(),
});

/** The MLflow delivery changed phase (e.g. `retrying` while the server does not answer, `idle` once it answers again). */
export const trackingLineSchema = z.looseObject({
  type: z.literal('tracking'),
  phase: z.string(),
  /** Where the runs go. */
  target: z.string(),
  /** Runs with records not delivered yet. */
  pendingRuns: int,
  /** Transient failures retried so far. */
  retries: int,
  /** Message of the last failure. */
  lastError: z.string().optional(),
});

/** One method of a comparison: the GA's best or a baseline (`--format json`). */
const comparisonRowSchema = z.object({
  method: z.string(),
  kind: z.enum(['ga', 'baseline']),
  mask,
  trainableLayers: int,
  trainableWeightedLayers: int.optional(),
  pruned: z.boolean().optional(),
  valAccuracy: num,
  testAccuracy: num,
  trainableParams: num,
  macroPrecision: num,
  macroRecall: num,
  confusion: z.array(z.array(int)).optional(),
  error: z.string().optional(),
});

/** The GA beside the baselines (`slt compare|baselines|resume --format json`), with the differences too small to mean anything. */
export const comparisonLineSchema = z.looseObject({
  type: z.literal('comparison'),
  searchId: z.string().optional(),
  model: z.string().optional(),
  dataset: z.string().optional(),
  classNames: z.array(z.string()).optional(),
  rows: z.array(comparisonRowSchema),
  generations: z.array(z.object({ generation: int, best: num, mean: num })),
  counts: z.object({ val: int, test: int }).optional(),
  /** One sentence per pair of methods within one image or within the seeds' noise. */
  notes: z.array(z.string()),
  /** The seeds' noise of validation accuracy, when searches beside this one differ only in their seed. */
  seedNoise: z.object({ val: z.number(), seeds: int, searches: z.array(z.string()) }).optional(),
});

/** The paper's table across the models of a study (`slt compare --config study.yaml --format json`). */
export const studyLineSchema = z.looseObject({
  type: z.literal('study'),
  dir: z.string(),
  studyId: z.string().optional(),
  dataset: z.string().optional(),
  columns: z.array(z.string()),
  models: z.array(z.object({ label: z.string(), model: z.string(), input: z.tuple([int, int]), searchId: z.string().optional(), cells: z.record(z.string(), z.unknown()) })),
});

/** `--detach`: the search runs in the background. */
export const detachedLineSchema = z.looseObject({
  type: z.literal('detached'),
  kind: z.literal('study').optional(),
  searchId: z.string().optional(),
  dir: z.string(),
  journalPath: z.string().optional(),
  pid: int,
});

/** Any line `slt search|baselines|compare|resume --json` prints. */
export const searchJsonLineSchema = z.discriminatedUnion('type', [searchLineSchema, evaluationLineSchema, cachedLineSchema, generationLineSchema, trackingLineSchema, resultLineSchema, comparisonLineSchema, studyLineSchema, detachedLineSchema]);

/** Any line `slt search|baselines|compare|resume --json` prints. */
export type SearchJsonLine = z.output<typeof searchJsonLineSchema>;
/** What the CLI writes for a line (its schema's input). */
export type SearchJsonLineInput = z.input<typeof searchJsonLineSchema>;
/** The line of one type. */
export type SearchJsonLineOf<T extends SearchJsonLine['type']> = Extract<SearchJsonLine, { type: T }>;

/** One file classified by `slt predict --json`. */
export const predictionLineSchema = z.object({
  file: z.string(),
  class: z.string(),
  classIndex: int,
  probability: z.number(),
  /** Probability per class name. */
  probabilities: z.record(z.string(), z.number()),
});

/** One file classified by `slt predict --json`. */
export type PredictionLine = z.output<typeof predictionLineSchema>;

/** A `--json` line that does not parse: names the line and what is wrong. */
export class JsonLineError extends Error {
  constructor(readonly line: number, message: string, options?: { cause?: unknown }) {
    super(`--json output line ${line}: ${message}`, options);
    this.name = 'JsonLineError';
  }
}

function parseLines<T>(stdout: string, schema: z.ZodType<T>): T[] {
  const out: T[] = [];
  stdout.split('\n').forEach((text, i) => {
    if (!text.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new JsonLineError(i + 1, `not JSON: ${text.slice(0, 80)}`, { cause });
    }
    const res = schema.safeParse(json);
    if (!res.success) throw new JsonLineError(i + 1, res.error.issues.map((x) => `${x.path.join('.') || '(line)'}: ${x.message}`).join('; '));
    out.push(res.data);
  });
  return out;
}

/** Parses what `slt search|baselines|compare|resume --json` printed on stdout, one typed line each. @throws JsonLineError */
export function parseSearchJsonLines(stdout: string): SearchJsonLine[] {
  return parseLines(stdout, searchJsonLineSchema);
}

/** Parses what `slt predict --json` printed on stdout. @throws JsonLineError */
export function parsePredictionJsonLines(stdout: string): PredictionLine[] {
  return parseLines(stdout, predictionLineSchema);
}

/** The lines of one type, typed. */
export function linesOf<T extends SearchJsonLine['type']>(lines: readonly SearchJsonLine[], type: T): SearchJsonLineOf<T>[] {
  return lines.filter((l): l is SearchJsonLineOf<T> => l.type === type);
}
