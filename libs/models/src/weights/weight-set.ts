/**
 * A `WeightSet`: pretrained weights held in memory as plain typed arrays, keyed by layer name,
 * so a model can be reset to them (for every genome) without re-reading files.
 */
import * as tf from '@tensorflow/tfjs';
import { MissingWeightError, ShapeMismatchError } from '../errors.js';

/** One stored weight of a layer. */
export interface StoredWeight {
  /** Short name, e.g. `kernel`, `bias`, `gamma`, `moving_mean`, `depthwise_kernel`. */
  name: string;
  /** Shape as stored. */
  shape: number[];
  /** Values, row-major. */
  values: Float32Array;
}

/** Pretrained weights, by layer name. */
export interface WeightSet {
  /** Where they came from (directory, file or URL). */
  source: string;
  /** Layer name -> its weights. */
  layers: Map<string, StoredWeight[]>;
  /** The file format they were read from (absent for weights captured from memory). */
  format?: 'keras-h5' | 'tfjs';
}

/** Options of {@link applyWeights}. */
export interface ApplyWeightsOptions {
  /**
   * Throw {@link MissingWeightError} when a layer with weights finds none in the set
   * (default true). With false, such layers keep their current values.
   */
  strict?: boolean;
  /**
   * Supplies the value of chosen variables instead of the stored one (called inside a `tf.tidy`,
   * in layer order; return undefined to write the stored value), e.g. to re-initialise a head.
   */
  override?: (variable: tf.LayerVariable) => tf.Tensor | undefined;
}

/** Splits a manifest weight name such as `conv1/kernel` or `model/conv1_bn/gamma` into [layer, weight]. */
export function splitWeightName(fullName: string): [string, string] {
  const parts = fullName.replace(/:\d+$/, '').split('/');
  if (parts.length < 2) return ['', parts[0]];
  return [parts[parts.length - 2], parts[parts.length - 1]];
}

/**
 * What matching needs of a model's variable: a tfjs `LayerVariable`, or its description from
 * `describeBackbone` (so that a preflight can match weights without building the model).
 */
export interface VariableLike {
  /** The variable's name, e.g. `conv1/kernel` or `conv1/kernel_3`. */
  readonly name: string;
  /** The name it was created with, when tfjs renamed it. */
  readonly originalName?: string;
  readonly shape: readonly (number | null)[];
}

/** What matching needs of a layer: its name and its variables. */
export interface LayerLike<V extends VariableLike = VariableLike> {
  readonly name: string;
  readonly weights: readonly V[];
}

/** The short name (`kernel`) of a tfjs layer variable named like `conv1/kernel` or `conv1/kernel_3`. */
function shortName(v: VariableLike, layerName: string): string {
  const original = v.originalName ?? v.name;
  const [, w] = splitWeightName(original);
  return w || original.slice(layerName.length + 1);
}

/**
 * Keras numbers auto-named layers per session (`normalization_1` when a model was built before):
 * when `name` itself is absent, accept exactly one stored layer named `<name>_<n>`.
 */
function uniqueSuffixed(ws: WeightSet, name: string): StoredWeight[] | undefined {
  const re = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_\\d+$`);
  const hits = [...ws.layers.keys()].filter((k) => re.test(k));
  return hits.length === 1 ? ws.layers.get(hits[0]) : undefined;
}

/** Number of weights values in a set. */
export function weightSetSize(ws: WeightSet): number {
  let n = 0;
  for (const list of ws.layers.values()) for (const w of list) n += w.values.length;
  return n;
}

/** One variable of a model and the stored weight that goes into it. */
export type WeightMatch<V extends VariableLike = tf.LayerVariable> = [V, StoredWeight];

/**
 * Matches every weight of `layers` (those that have weights) with its stored weight in `ws`, by
 * layer name and weight short name, and checks the shapes; writes nothing.
 * @throws MissingWeightError (strict) naming the layer and weight; ShapeMismatchError naming the layer and both shapes
 */
export function matchWeights<V extends VariableLike>(layers: readonly LayerLike<V>[], ws: WeightSet, options: Pick<ApplyWeightsOptions, 'strict'> = {}): WeightMatch<V>[] {
  const strict = options.strict ?? true;
  const plan: WeightMatch<V>[] = [];
  for (const layer of layers) {
    if (layer.weights.length === 0) continue;
    const stored = ws.layers.get(layer.name) ?? uniqueSuffixed(ws, layer.name);
    if (!stored) {
      if (strict) throw new MissingWeightError(ws.source, layer.name, '*');
      continue;
    }
    // By short name; when the file's names are of another convention (Keras 1's `block1_conv1_W_1`)
    // but the count agrees, by order within the layer, as Keras' own HDF5 loader does.
    const byName = layer.weights.every((v) => stored.some((w) => w.name === shortName(v, layer.name)));
    const byOrder = !byName && stored.length === layer.weights.length;
    for (const [i, v] of layer.weights.entries()) {
      const name = shortName(v, layer.name);
      const s = byOrder ? stored[i] : stored.find((w) => w.name === name);
      if (!s) {
        if (strict) throw new MissingWeightError(ws.source, layer.name, name);
        continue;
      }
      const shape = v.shape as number[];
      if (shape.length !== s.shape.length || shape.some((d, k) => d !== s.shape[k])) {
        throw new ShapeMismatchError(ws.source, layer.name, name, shape, s.shape);
      }
      plan.push([v, s]);
    }
  }
  return plan;
}

/**
 * Writes the weights of `ws` into every layer of `layers` that has weights, matching by layer
 * name and weight short name; shapes must agree ({@link ShapeMismatchError}). Everything is
 * checked before anything is written (a mismatch leaves the model untouched). Layers without
 * weights are skipped. Returns the number of layers written. This is the one way weights are put
 * back into a model (pretrained backbone, and the evaluator's reset before every genome).
 */
export function applyWeights(layers: readonly tf.layers.Layer[], ws: WeightSet, options: ApplyWeightsOptions = {}): number {
  const plan = matchWeights<tf.LayerVariable>(layers, ws, options);
  const written = new Set<string>();
  tf.tidy(() => {
    for (const [v, s] of plan) {
      v.write(options.override?.(v) ?? tf.tensor(s.values, s.shape, 'float32'));
      written.add(v.name);
    }
  });
  return new Set(layers.filter((l) => l.weights.some((w) => written.has(w.name)))).size;
}

/** Copies the current values of the layers' weights into a new {@link WeightSet}. */
export function captureWeights(layers: readonly tf.layers.Layer[], source = 'memory'): WeightSet {
  const out = new Map<string, StoredWeight[]>();
  for (const layer of layers) {
    if (layer.weights.length === 0) continue;
    out.set(
      layer.name,
      layer.weights.map((v) => ({
        name: shortName(v, layer.name),
        shape: [...(v.shape as number[])],
        values: Float32Array.from(v.read().dataSync() as Float32Array),
      })),
    );
  }
  return { source, layers: out };
}
