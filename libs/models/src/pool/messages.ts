/**
 * The schema of what a worker process sends the pool (`FromWorker`): an IPC message crosses a
 * process, so it is parsed, not cast. An evaluation result's fields (the test confusion matrix
 * and the macro scores included) are checked; fields added later pass through.
 */
import { z } from 'zod';
import type { FromWorker } from './protocol.js';

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
]);

/** Parses a worker's message: the message, or the problem with it (naming the field). */
export function parseFromWorker(m: unknown): { ok: true; message: FromWorker } | { ok: false; error: string } {
  const r = fromWorkerSchema.safeParse(m);
  if (r.success) return { ok: true, message: r.data as FromWorker };
  const i = r.error.issues[0]!;
  return { ok: false, error: `bad message from the worker: ${i.path.map(String).join('.') || '(root)'}: ${i.message}` };
}
