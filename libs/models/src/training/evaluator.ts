import * as tf from '@tensorflow/tfjs';
import { categoricalCrossEntropy, createAdam } from '@slt/backend';
import { countSetBits } from '@slt/util';
import { batchTensors, permutation, prepareSplit, seededRandom, validateSplits, type PreparedSplit } from './data.js';
import { addToConfusion, argMaxRows, confusionRows, countCorrect, macroPrecisionRecall } from './confusion.js';
import { EvaluationAbortedError, TrainingInputError } from './errors.js';
import { splitAtPrefix, type PrefixSplit } from './graph.js';
import { fuseInferenceBatchNorm } from './batchnorm.js';
import { RetainedStore, type RetainedKey } from './retained.js';
import { applyGenome, countTrainableWeighted, firstTrainableWeighted, frozenPrefix, resetWeights, snapshotWeights, trainableVariables, validateGenome } from './state.js';
import type { EpochMetrics, EvaluationResult, FineTuneOptions, TrainableTaskModel, TrainingSplits } from './types.js';
import type { WeightSet } from '../weights/weight-set.js';

/** Options of an in-process evaluator: fine-tune defaults plus the prefix cache's budget. */
export interface LocalEvaluatorOptions extends Omit<FineTuneOptions, 'onEpoch' | 'onBatch' | 'signal' | 'prune'> {
  /** Most bytes of cached frozen-prefix outputs kept (least recently used evicted). Default 512 MiB. */
  prefixCacheBytes?: number;
  /** Rows per forward pass when preparing data and computing prefixes or val/test metrics. Default 128. */
  inferenceBatch?: number;
}

type Prepared = { train: PreparedSplit; val: PreparedSplit; test: PreparedSplit };
interface PrefixEntry { split: PrefixSplit; data: Prepared; bytes: number; reused: number }

const DEFAULTS = { epochs: 2, batchSize: 32, learningRate: 1e-4, epsilon: 1e-7, seed: 0, prefixReuse: true, retain: false };

/** What {@link LocalEvaluator.restoreRetained} put back: the evaluation the task model's weights now are from. */
export interface RestoredEvaluation {
  /** 1-based epoch whose weights were put back (the first best-validation epoch). */
  epoch: number;
  /** Test accuracy measured with these weights (= `result.testAccuracy`). */
  testAccuracy: number;
  /** The evaluation's result as `evaluate` returned it (a copy). */
  result: EvaluationResult;
}

/**
 * Copies the variables' values out of the backend into plain memory (not tf.clone: slt's wasm
 * Identity shares memory, and training goes on writing the variables).
 */
function copyValues(vars: readonly tf.Variable[]): Float32Array[] {
  return vars.map((v) => Float32Array.from(v.dataSync() as Float32Array));
}

/** Writes `values` (as {@link copyValues} made them) into `vars`; copies them (the cpu backend would keep the array itself). */
function assignValues(vars: readonly tf.Variable[], values: readonly Float32Array[]): void {
  tf.tidy(() => vars.forEach((v, i) => v.assign(tf.tensor(Float32Array.from(values[i]!), v.shape, 'float32'))));
}

function checkNumber(name: string, value: number, integer: boolean, min: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || (!integer && value <= 0)) {
    throw new TrainingInputError(name, value, integer ? `an integer >= ${min}` : 'a finite number > 0');
  }
}

/**
 * Fine-tunes genomes of one task model on one data set, in this process: the data are resized and
 * preprocessed once, pretrained weights are kept in memory and put back before every genome, and
 * frozen-prefix outputs are cached across genomes.
 */
export class LocalEvaluator {
  /** Genome length (backbone layers). */
  readonly genomeLength: number;
  /** Number of classes (the model's output width). */
  readonly classes: number;
  private readonly prepared: Prepared;
  private readonly snapshot: WeightSet;
  private readonly prefixes = new Map<number, PrefixEntry>();
  private readonly retained = new RetainedStore();
  private readonly defaults: Required<LocalEvaluatorOptions>;
  private disposed = false;
  private busy = false;

  constructor(private readonly task: TrainableTaskModel, splits: TrainingSplits, options: LocalEvaluatorOptions = {}) {
    const out = task.model.outputs[0]!.shape;
    this.classes = out[out.length - 1] as number;
    validateSplits(splits, this.classes);
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as LocalEvaluatorOptions;
    this.defaults = { ...DEFAULTS, prefixCacheBytes: 512 * 2 ** 20, inferenceBatch: 128, ...given };
    this.validate(this.defaults);
    checkNumber('inferenceBatch', this.defaults.inferenceBatch, true, 1);
    checkNumber('prefixCacheBytes', this.defaults.prefixCacheBytes, true, 0);
    this.genomeLength = task.genomeLayers.length;
    const [, h, w] = task.model.inputs[0]!.shape as number[];
    const size: [number, number] = [h!, w!];
    const chunk = this.defaults.inferenceBatch;
    this.prepared = {
      train: prepareSplit(splits.train, size, task.preprocess, chunk),
      val: prepareSplit(splits.val, size, task.preprocess, chunk),
      test: prepareSplit(splits.test, size, task.preprocess, chunk),
    };
    this.snapshot = snapshotWeights(task.model);
    fuseInferenceBatchNorm(task.model); // the backbone runs in inference mode: one kernel per BatchNorm
  }

  private validate(o: FineTuneOptions): void {
    if (o.epochs !== undefined) checkNumber('epochs', o.epochs, true, 1);
    if (o.batchSize !== undefined) checkNumber('batchSize', o.batchSize, true, 1);
    if (o.learningRate !== undefined) checkNumber('learningRate', o.learningRate, false, 0);
    if (o.epsilon !== undefined) checkNumber('epsilon', o.epsilon, false, 0);
    if (o.seed !== undefined) checkNumber('seed', o.seed, true, 0);
  }

  /** Number of cached prefixes and their bytes (for reports and tests). */
  prefixCacheInfo(): { entries: number; bytes: number } {
    let bytes = 0;
    for (const e of this.prefixes.values()) bytes += e.bytes;
    return { entries: this.prefixes.size, bytes };
  }

  private runInference(model: tf.LayersModel, split: PreparedSplit, fn: (outs: tf.Tensor[], from: number, to: number) => void): void {
    const step = this.defaults.inferenceBatch;
    for (let from = 0; from < split.count; from += step) {
      const to = Math.min(split.count, from + step);
      tf.tidy(() => {
        const { xs } = batchTensors(split, null, from, to, this.classes);
        const out = model.apply(xs.length === 1 ? xs[0]! : xs, { training: false }) as tf.Tensor | tf.Tensor[];
        fn(Array.isArray(out) ? out : [out], from, to);
      });
    }
  }

  private prefix(k: number, names: string[]): PrefixEntry | null {
    if (names.length === 0) return null;
    const hit = this.prefixes.get(k);
    if (hit) {
      this.prefixes.delete(k); // move to most recently used
      this.prefixes.set(k, hit);
      return hit;
    }
    const split = splitAtPrefix(this.task.model, new Set(names));
    if (!split) return null;
    const compute = (src: PreparedSplit): PreparedSplit => {
      const rowShapes = split.prefix.outputs.map((t) => t.shape.slice(1) as number[]);
      const rows = rowShapes.map((s) => s.reduce((a, b) => a * b, 1));
      const inputs = rows.map((r) => new Float32Array(r * src.count));
      this.runInference(split.prefix, src, (outs, from) => {
        outs.forEach((o, i) => inputs[i]!.set(o.dataSync() as Float32Array, from * rows[i]!));
      });
      return { inputs, rowShapes, labels: src.labels, count: src.count };
    };
    const data = { train: compute(this.prepared.train), val: compute(this.prepared.val), test: compute(this.prepared.test) };
    const bytes = [data.train, data.val, data.test].reduce((s, d) => s + d.inputs.reduce((t, a) => t + a.byteLength, 0), 0);
    const inputs = new Set(this.task.model.inputLayers.map((l) => l.name));
    const present = new Set(this.task.model.layers.map((l) => l.name));
    let reused = 0;
    for (const name of this.task.genomeLayers.slice(0, k)) {
      if (!split.prefixLayers.has(name) && !inputs.has(name) && present.has(name)) break;
      reused++;
    }
    const entry = { split, data, bytes, reused };
    this.prefixes.set(k, entry);
    let total = this.prefixCacheInfo().bytes;
    for (const [key, e] of this.prefixes) {
      if (total <= this.defaults.prefixCacheBytes || key === k) continue;
      this.prefixes.delete(key);
      e.split.suffix.dispose(); // releases its hold on the shared layers (they stay with the task model)
      total -= e.bytes;
    }
    return entry;
  }

  /** Loss and accuracy of a split; with `confusion` (K*K counts, zeroed here) also its confusion counts. */
  private measure(model: tf.LayersModel, split: PreparedSplit, confusion?: Int32Array): { loss: number; accuracy: number } {
    let loss = 0;
    let correct = 0;
    confusion?.fill(0);
    const predicted = new Int32Array(this.defaults.inferenceBatch);
    this.runInference(model, split, (outs, from, to) => {
      const labels = split.labels.subarray(from, to);
      const probs = outs[0]!;
      const ce = crossEntropy(probs, tf.oneHot(tf.tensor1d(labels, 'int32'), this.classes).toFloat());
      loss += (ce.dataSync()[0] as number) * (to - from);
      const rows = predicted.subarray(0, to - from);
      argMaxRows(probs.dataSync(), this.classes, rows);
      correct += countCorrect(labels, rows);
      if (confusion) addToConfusion(confusion, this.classes, labels, rows);
    });
    return { loss: loss / split.count, accuracy: correct / split.count };
  }

  /** Resets the pretrained weights, applies the genome and fine-tunes; see {@link FineTuneOptions}. */
  async evaluate(genome: string, options: FineTuneOptions = {}): Promise<EvaluationResult> {
    this.checkIdle();
    this.busy = true;
    try {
      return await this.run(genome, options);
    } finally {
      this.busy = false;
    }
  }

  private async run(genome: string, options: FineTuneOptions): Promise<EvaluationResult> {
    this.validate(options);
    validateGenome(genome, this.genomeLength);
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as FineTuneOptions;
    const o = { ...this.defaults, ...given };
    const t0 = performance.now();
    const { trainableParams, totalParams } = applyGenome(this.task, genome);
    resetWeights(this.task, this.snapshot, o.seed);
    let model = this.task.model;
    let data = this.prepared;
    let prefixReused = 0;
    const k = o.prefixReuse ? firstTrainableWeighted(this.task, genome) : 0;
    const entry = k > 0 ? this.prefix(k, frozenPrefix(this.task, genome)) : null;
    if (entry) {
      model = entry.split.suffix;
      data = entry.data;
      prefixReused = entry.reused;
    }
    const result: EvaluationResult = {
      fitness: 0, testAccuracy: 0, epochs: [], trainableParams, totalParams,
      trainableLayers: countSetBits(genome),
      trainableWeightedLayers: countTrainableWeighted(this.task, genome),
      seconds: 0, imagesPerSecond: 0, backend: tf.getBackend(), prefixReused,
    };
    const optimizer = createAdam(o.learningRate, 0.9, 0.999, o.epsilon); // fused on wasm/cpu
    const vars = trainableVariables(this.task.model);
    const random = seededRandom(o.seed);
    const n = data.train.count;
    const batches = Math.ceil(n / o.batchSize);
    const predicted = new Int32Array(o.batchSize);
    let trainSeconds = 0;
    let best = -1;
    let bestEpoch = 0;
    let bestValues: Float32Array[] | null = null; // the best epoch's trainable values while later epochs overwrite them (null: those in place)
    let retain: Float32Array[] | undefined;
    try {
      for (let epoch = 1; epoch <= o.epochs; epoch++) {
        const e0 = performance.now();
        const order = permutation(n, random);
        let lossSum = 0;
        let correct = 0;
        for (let b = 0; b < batches; b++) {
          if (o.signal?.aborted) throw new EvaluationAbortedError(genome, { cause: o.signal.reason });
          const from = b * o.batchSize;
          const to = Math.min(n, from + o.batchSize);
          const { xs, ys, labels } = batchTensors(data.train, order, from, to, this.classes);
          let probs: tf.Tensor | undefined;
          const cost = optimizer.minimize(() => {
            probs = tf.keep(model.apply(xs.length === 1 ? xs[0]! : xs, { training: false }) as tf.Tensor);
            return crossEntropy(probs, ys);
          }, true, vars);
          // Correct predictions and non-finite probabilities, read in JavaScript (a clip may turn NaN into a number on some backends)
          const bad = argMaxRows(probs!.dataSync(), this.classes, predicted.subarray(0, to - from));
          const loss = bad > 0 ? NaN : (cost!.dataSync()[0] as number);
          correct += countCorrect(labels, predicted);
          tf.dispose([cost!, probs!, ys, ...xs]);
          if (!Number.isFinite(loss)) {
            result.error = `training loss is ${loss} at epoch ${epoch}, batch ${b + 1} of ${batches}`;
            result.fitness = 0;
            return result;
          }
          lossSum += loss * (to - from);
          const elapsed = (performance.now() - e0) / 1000;
          o.onBatch?.({ epoch, batch: b + 1, batches, loss, imagesPerSecond: to / Math.max(elapsed, 1e-9) });
          await new Promise((r) => setImmediate(r));
        }
        trainSeconds += (performance.now() - e0) / 1000;
        const val = this.measure(model, data.val);
        const improved = val.accuracy > best;
        if (improved) {
          best = val.accuracy;
          bestEpoch = epoch;
        }
        const metrics: EpochMetrics = {
          epoch, trainLoss: lossSum / n, trainAccuracy: correct / n, valLoss: val.loss, valAccuracy: val.accuracy,
          seconds: (performance.now() - e0) / 1000,
        };
        result.epochs.push(metrics);
        o.onEpoch?.(metrics);
        if (!Number.isFinite(val.loss)) {
          result.error = `validation loss is ${val.loss} at epoch ${epoch}`;
          return result;
        }
        const bar = o.prune?.[epoch - 1];
        const pruned = epoch < o.epochs && typeof bar === 'number' && val.accuracy < bar;
        // A copy only when a later epoch will overwrite the best weights so far.
        if (improved) bestValues = pruned || epoch === o.epochs ? null : copyValues(vars);
        if (pruned) {
          result.pruned = true;
          break;
        }
      }
      if (bestValues) assignValues(vars, bestValues); // back to the best epoch's weights
      this.measureTest(model, data.test, result);
      result.fitness = best;
      result.imagesPerSecond = (result.epochs.length * n) / Math.max(trainSeconds, 1e-9);
      if (o.retain && this.retained.wouldKeep(best, genome, o.seed, trainableParams)) retain = bestValues ?? copyValues(vars);
      return result;
    } finally {
      optimizer.dispose();
      result.seconds = (performance.now() - t0) / 1000;
      if (result.error) result.fitness = 0;
      else if (retain) this.retained.put({ genome, seed: o.seed, epoch: bestEpoch, result: structuredClone(result), values: retain, shapes: vars.map((v) => [...v.shape]) });
    }
  }

  /** Test accuracy, confusion counts and macro precision/recall of the weights in place, into `result`. */
  private measureTest(model: tf.LayersModel, test: PreparedSplit, result: EvaluationResult): void {
    const counts = new Int32Array(this.classes * this.classes);
    result.testAccuracy = this.measure(model, test, counts).accuracy;
    result.testConfusion = confusionRows(counts, this.classes);
    const macro = macroPrecisionRecall(result.testConfusion);
    result.testMacroPrecision = macro.precision;
    result.testMacroRecall = macro.recall;
  }

  /**
   * Puts back the weights an evaluation with `retain` measured: applies `genome`, resets the
   * pretrained weights with `seed` (as an evaluation does) and writes the retained best-epoch
   * trainable values, so the task model holds exactly the weights its `testAccuracy` is from (e.g.
   * to save the best genome's model without training it again). Only the highest fitness retained
   * is kept (see {@link RetainedStore}). Returns undefined, and changes nothing, when (genome,
   * seed) is not retained.
   */
  restoreRetained(genome: string, seed: number): RestoredEvaluation | undefined {
    this.checkIdle();
    const entry = this.retained.get(genome, seed);
    if (!entry) return undefined;
    applyGenome(this.task, genome);
    resetWeights(this.task, this.snapshot, seed);
    const vars = trainableVariables(this.task.model);
    if (vars.length !== entry.values.length || vars.some((v, i) => v.shape.join() !== entry.shapes[i]!.join())) {
      throw new TrainingInputError('retained weights', genome, 'the trainable variables they were taken from');
    }
    assignValues(vars, entry.values);
    return { epoch: entry.epoch, testAccuracy: entry.result.testAccuracy, result: structuredClone(entry.result) };
  }

  /** The (genome, seed) pairs whose weights are retained, with their fitness and epoch, oldest first. */
  retainedInfo(): RetainedKey[] {
    return this.retained.list();
  }

  private checkIdle(): void {
    if (this.disposed) throw new TrainingInputError('evaluator', 'disposed', 'an evaluator that was not disposed');
    if (this.busy) throw new TrainingInputError('evaluator', 'busy', 'one evaluation at a time (await the previous one)');
  }

  /** Drops the cached data and prefixes (the task model itself belongs to the caller). */
  dispose(): void {
    this.disposed = true;
    for (const e of this.prefixes.values()) e.split.suffix.dispose();
    this.prefixes.clear();
    this.retained.clear();
  }
}

/** Keras' categorical cross-entropy on probabilities (clipped to [1e-7, 1 - 1e-7]), mean over the batch (fused kernels on wasm/cpu). */
export function crossEntropy(probs: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return categoricalCrossEntropy(probs, oneHot);
}

/** Creates an in-process evaluator for a task model and its splits (see {@link LocalEvaluator}). */
export function createLocalEvaluator(task: TrainableTaskModel, splits: TrainingSplits, options?: LocalEvaluatorOptions): LocalEvaluator {
  return new LocalEvaluator(task, splits, options);
}
