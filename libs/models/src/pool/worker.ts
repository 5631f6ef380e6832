/**
 * A pool worker process (run by the pool with execa IPC: `node dist/pool/worker.js` when built,
 * `node --import tsx worker.ts` from the sources): builds
 * the task model on its own backend, reads the splits file once, then evaluates genomes on request.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@slt/backend';
import { createLocalEvaluator, type LocalEvaluator } from '../training/evaluator.js';
import { layersTaskModel } from '../training/layers-task-model.js';
import { zooTaskModel } from '../training/zoo-task-model.js';
import { readSplitsFile } from './datafile.js';
import { parseToWorker, parseWorkerInit } from './messages.js';
import { saveIfAsked } from './save.js';
import type { SaveModelRequest } from '../export/saved-model.js';
import type { BatchProgress, EvaluationResult } from '../training/types.js';
import { WORKER_BACKEND_ENV, type FromWorker, type WorkerInit } from './protocol.js';

/**
 * Node's own IPC channel, which the pool opened with execa (its non-strict messages are the plain
 * values): execa itself is not imported here, which saves each worker about 0.2 s of start.
 */
const send = (m: FromWorker): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });

/** The messages from the pool, in order: the first (the init) is awaited alone, then the rest. */
function inbox(): { next: () => Promise<unknown> } {
  const queue: unknown[] = [];
  let waiting: ((m: unknown) => void) | undefined;
  process.on('message', (m: unknown) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(m);
    } else queue.push(m);
  });
  return { next: () => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((r) => (waiting = r))) };
}
/** Least time between two batch-progress messages (ms). */
const BATCH_MESSAGE_MS = 200;

tf.enableProdMode(); // no debug checks, no tfjs-node banner on the worker's stderr
// The backend named at spawn is selected at once, while the pool's owner still prepares the
// search (weights, data); its init only brings the model and the data.
const spawnedBackend = process.env[WORKER_BACKEND_ENV] as WorkerInit['backend'] | undefined;
const early = spawnedBackend ? selectBackend({ prefer: spawnedBackend }) : undefined;
early?.catch(() => undefined); // its failure is reported when the init comes

async function start(init: WorkerInit): Promise<{ evaluator: LocalEvaluator; save: (genome: string, result: EvaluationResult, req: SaveModelRequest | undefined) => Promise<void> }> {
  const choice = await (early && init.backend === spawnedBackend ? early : selectBackend({ prefer: init.backend }));
  const task = init.model.kind === 'zoo' ? await zooTaskModel(init.model.options) : await layersTaskModel(init.model.options);
  const splits = await readSplitsFile(init.splitsFile);
  const evaluator = createLocalEvaluator(task, splits, init.training);
  await send({ type: 'ready', backend: choice.name, genomeLength: evaluator.genomeLength, cudaVisibleDevices: process.env.CUDA_VISIBLE_DEVICES });
  return { evaluator, save: (genome, result, req) => saveIfAsked(task, init.model, splits.train.shape, genome, result, req) };
}

async function main(): Promise<void> {
  // The parent died (SIGKILL, crash): nobody will read our results, so stop at the next turn
  // of the event loop instead of finishing the evaluation.
  process.once('disconnect', () => process.exit(0));
  const messages = inbox();
  const parsedInit = parseWorkerInit(await messages.next());
  if (!parsedInit.ok) {
    await send({ type: 'init-error', error: parsedInit.error });
    process.exit(3);
  }
  let evaluator: LocalEvaluator;
  let save: Awaited<ReturnType<typeof start>>['save'];
  const init = parsedInit.message;
  try {
    ({ evaluator, save } = await start(init));
  } catch (e) {
    await send({ type: 'init-error', error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    process.exit(3);
  }
  for (;;) {
    const raw = await messages.next();
    const parsed = parseToWorker(raw);
    if (!parsed.ok) {
      // Answer the request it was, when its id can be read; else nobody waits for an answer.
      if (typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'number') await send({ type: 'failed', id: raw.id, error: parsed.error, name: 'WorkerMessageError' });
      else process.stderr.write(`slt worker: ${parsed.error}\n`);
      continue;
    }
    const msg = parsed.message;
    if (msg.type === 'close') break;
    const { id } = msg;
    if (msg.type === 'save-retained') {
      try {
        const kept = evaluator.restoreRetained(msg.genome, msg.seed ?? init.training.seed ?? 0);
        if (kept) await save(msg.genome, kept.result, msg.save);
        await send({ type: 'retained', id, ...(kept ? { result: kept.result } : {}) });
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        await send({ type: 'failed', id, error: err.message, name: err.name });
      }
      continue;
    }
    // Batch progress goes at most every BATCH_MESSAGE_MS (and at each epoch's last batch): each
    // message costs both processes a serialisation, and the parent shares the cores with the workers.
    let lastBatch = -Infinity;
    const onBatch = (progress: BatchProgress): void => {
      const now = performance.now();
      if (progress.batch < progress.batches && now - lastBatch < BATCH_MESSAGE_MS) return;
      lastBatch = now;
      void send({ type: 'batch', id, progress });
    };
    try {
      const result = await evaluator.evaluate(msg.genome, {
        ...msg.options,
        onEpoch: (metrics) => void send({ type: 'epoch', id, metrics }),
        onBatch: msg.batches ? onBatch : undefined,
      });
      await save(msg.genome, result, msg.save);
      await send({ type: 'result', id, result });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      await send({ type: 'failed', id, error: err.message, name: err.name });
    }
  }
  process.exit(0);
}

await main();
