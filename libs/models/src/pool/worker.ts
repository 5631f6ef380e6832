/**
 * A pool worker process (run by the pool with execa IPC: `node dist/pool/worker.js` when built,
 * `node --import tsx worker.ts` from the sources): builds
 * the task model on its own backend, reads the splits file once, then evaluates genomes on request.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@slt/backend';
import { getEachMessage, getOneMessage, sendMessage } from 'execa';
import { createLocalEvaluator, type LocalEvaluator } from '../training/evaluator.js';
import { layersTaskModel } from '../training/layers-task-model.js';
import { zooTaskModel } from '../training/zoo-task-model.js';
import { readSplitsFile } from './datafile.js';
import { parseToWorker, parseWorkerInit } from './messages.js';
import { saveIfAsked } from './save.js';
import type { SaveModelRequest } from '../export/saved-model.js';
import type { EvaluationResult } from '../training/types.js';
import type { FromWorker, WorkerInit } from './protocol.js';

const send = (m: FromWorker): Promise<void> => sendMessage(m as never);

async function start(init: WorkerInit): Promise<{ evaluator: LocalEvaluator; save: (genome: string, result: EvaluationResult, req: SaveModelRequest | undefined) => Promise<void> }> {
  tf.enableProdMode(); // no debug checks, no tfjs-node banner on the worker's stderr
  const choice = await selectBackend({ prefer: init.backend });
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
  const parsedInit = parseWorkerInit(await getOneMessage());
  if (!parsedInit.ok) {
    await send({ type: 'init-error', error: parsedInit.error });
    process.exit(3);
  }
  let evaluator: LocalEvaluator;
  let save: Awaited<ReturnType<typeof start>>['save'];
  try {
    ({ evaluator, save } = await start(parsedInit.message));
  } catch (e) {
    await send({ type: 'init-error', error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    process.exit(3);
  }
  for await (const raw of getEachMessage()) {
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
    try {
      const result = await evaluator.evaluate(msg.genome, {
        ...msg.options,
        onEpoch: (metrics) => void send({ type: 'epoch', id, metrics }),
        onBatch: msg.batches ? (progress) => void send({ type: 'batch', id, progress }) : undefined,
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
