/** The evaluator pool with `workers: 0`: the same interface, evaluating in this process. */
import * as tf from '@tensorflow/tfjs';
import type { SaveModelRequest } from '../export/saved-model.js';
import type { LocalEvaluator } from '../training/evaluator.js';
import { PoolClosedError } from '../training/errors.js';
import type { EvaluationResult, TrainableTaskModel } from '../training/types.js';
import type { EvaluatorPool, PoolEvaluateOptions, WorkerInfo } from './pool.js';
import type { TaskModelSource } from './protocol.js';
import { saveIfAsked } from './save.js';

/** Evaluates one genome at a time in this process (see createEvaluatorPool). */
export class InProcessPool implements EvaluatorPool {
  readonly workers = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  constructor(private readonly task: TrainableTaskModel, private readonly evaluator: LocalEvaluator, private readonly source: TaskModelSource, private readonly imageShape: readonly number[], private readonly defaultSeed: number) {}
  evaluate(genome: string, options: PoolEvaluateOptions = {}): Promise<EvaluationResult> {
    if (this.closed) return Promise.reject(new PoolClosedError());
    const run = this.chain.then(async () => {
      options.onStart?.({ worker: 0, pid: 0, device: process.env.CUDA_VISIBLE_DEVICES ?? '' });
      const result = await this.evaluator.evaluate(genome, options);
      await saveIfAsked(this.task, this.source, this.imageShape, genome, result, options.saveModel);
      return result;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
  saveRetained(genome: string, seed: number | undefined, save: SaveModelRequest): Promise<EvaluationResult | undefined> {
    if (this.closed) return Promise.reject(new PoolClosedError());
    const run = this.chain.then(async () => {
      const kept = this.evaluator.restoreRetained(genome, seed ?? this.defaultSeed);
      if (kept) await saveIfAsked(this.task, this.source, this.imageShape, genome, kept.result, save);
      return kept?.result;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
  ready(): Promise<void> {
    return this.closed ? Promise.reject(new PoolClosedError()) : Promise.resolve();
  }
  workerPids(): number[] {
    return [];
  }
  workerInfo(): WorkerInfo[] {
    return [{ worker: 0, pid: 0, backend: tf.getBackend() ?? '', device: process.env.CUDA_VISIBLE_DEVICES ?? '', cudaVisibleDevices: process.env.CUDA_VISIBLE_DEVICES }];
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    this.evaluator.dispose();
    this.task.dispose?.();
  }
}
