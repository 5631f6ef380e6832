/**
 * The schemas of the pool's IPC messages, both ways: what a worker sends the pool (`FromWorker`)
 * and what the pool sends a worker (`WorkerInit`, then `ToWorker`). A message crosses a process,
 * so it is parsed, not cast. An evaluation result's fields (the test confusion matrix and the
 * macro scores included) are checked; fields added later pass through. The model and training
 * options inside `WorkerInit` are plain JSON here: their own factories check them eagerly
 * (`zooTaskModel`, `layersTaskModel`, `createLocalEvaluator`), naming the bad option.
 */
import { z } from 'zod';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';

const num = z.number().or(z.null().transform(() => Number.NaN));
const epoch = z.looseObject({ epoch: z.number().int(), trainLoss: num, trainAccuracy: num, valLoss: num, valAccuracy: num, seconds: num });
const result = z.looseObject({
  fitness: num, testAccuracy: num, epochs: z.array(epoch), trainableParams: z.number(), totalParams: z.number(), trainableLayers: z.number().int(),
  seconds: num, imagesPerSecond: num, backend: z.string(), prefixReused: z.number().int(),
  testConfusion: z.array(z.array(z.number().int().nonnegative())).optional(),
  testMacroPrecision: num.optional(), testMacroRecall: num.optional(), error: z.string().optional(),
});
const id = z.number().int();
const fromWorkerSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('ready'), backend: z.string(), genomeLength: z.number().int(), cudaVisibleDevices: z.string().optional() }),
  z.looseObject({ type: z.literal('init-error'), error: z.string() }),
  z.looseObject({ type: z.literal('epoch'), id, metrics: epoch }),
  z.looseObject({ type: z.literal('batch'), id, progress: z.looseObject({ epoch: z.number().int(), batch: z.number().int(), batches: z.number().int(), loss: num, imagesPerSecond: num }) }),
  z.looseObject({ type: z.literal('result'), id, result }),
  z.looseObject({ type: z.literal('failed'), id, error: z.string(), name: z.string() }),
  z.looseObject({ type: z.literal('retained'), id, result: result.optional() }),
]);

const options = z.record(z.string(), z.unknown());
const workerInitSchema = z.looseObject({
  splitsFile: z.string().min(1),
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']),
  model: z.discriminatedUnion('kind', [z.looseObject({ kind: z.literal('zoo'), options }), z.looseObject({ kind: z.literal('layers'), options })]),
  training: options,
});
const genome = z.string().regex(/^[01]+$/, 'expected a string of 0 and 1');
const save = z.looseObject({ dir: z.string().min(1), classNames: z.array(z.string()), key: z.string().optional(), data: options.optional() });
const toWorkerSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('evaluate'),
    id,
    genome,
    options: z.looseObject({
      epochs: z.number().int().positive().optional(), batchSize: z.number().int().positive().optional(), learningRate: z.number().positive().optional(),
      epsilon: z.number().positive().optional(), seed: z.number().int().optional(), prefixReuse: z.boolean().optional(), prune: z.array(z.number().nullable()).optional(),
      retain: z.boolean().optional(),
    }),
    batches: z.boolean(),
    save: save.optional(),
  }),
  z.looseObject({ type: z.literal('save-retained'), id, genome, seed: z.number().int().optional(), save }),
  z.looseObject({ type: z.literal('close') }),
]);

type Parsed<T> = { ok: true; message: T } | { ok: false; error: string };

function parseWith<T>(schema: z.ZodType, m: unknown, what: string): Parsed<T> {
  const r = schema.safeParse(m);
  // The schema checks the shape; the nested option objects are checked by their factories (see above).
  if (r.success) return { ok: true, message: r.data as T };
  const i = r.error.issues[0]!;
  return { ok: false, error: `bad message ${what}: ${i.path.map(String).join('.') || '(root)'}: ${i.message}` };
}

/** Parses a worker's message: the message, or the problem with it (naming the field). */
export function parseFromWorker(m: unknown): Parsed<FromWorker> {
  return parseWith<FromWorker>(fromWorkerSchema, m, 'from the worker');
}

/** Parses the first message a worker gets (its init). */
export function parseWorkerInit(m: unknown): Parsed<WorkerInit> {
  return parseWith<WorkerInit>(workerInitSchema, m, 'to the worker (init)');
}

/** Parses a request to a worker (evaluate, save-retained, close). */
export function parseToWorker(m: unknown): Parsed<ToWorker> {
  return parseWith<ToWorker>(toWorkerSchema, m, 'to the worker');
}
