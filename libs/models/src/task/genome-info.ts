/**
 * What a process needs to know of a zoo backbone without holding one: its genome facts and the
 * names and shapes of its weights, computed once per process (building a backbone costs a
 * noticeable part of a second: a search's parent asks for both, and builds it once).
 */
import { withWeightsToFollow } from '../zoo/layers.js';
import { getModelInfo } from '../zoo/table.js';
import type { LayerLike } from '../weights/weight-set.js';
import { findBlocks } from './genes.js';
import { type GenomeInfo, layersWithWeights } from './genome.js';

/** One weight of a backbone layer, as `matchWeights` needs it. */
export interface WeightSpec {
  readonly name: string;
  readonly originalName?: string;
  readonly shape: readonly number[];
}

/** A zoo backbone as plain data. */
export interface BackboneDescription {
  genome: GenomeInfo;
  /** The layers that have weights, in model order, with their weights' names and shapes. */
  layers: LayerLike<WeightSpec>[];
}

const cache = new Map<string, BackboneDescription>();

/** Size the backbone is built at for its description: weight shapes of the zoo's convnets do not depend on it. */
const DESCRIBE_SIZE = 32;

/**
 * The genome facts and weight shapes of zoo model `model` (independent of the input size).
 * Builds the backbone once at 32x32x3, frees it, and caches the answer.
 */
export function describeBackbone(model: string): BackboneDescription {
  const info = getModelInfo(model);
  const hit = cache.get(info.name);
  if (hit) return hit;
  const backbone = withWeightsToFollow(() => info.builder([DESCRIBE_SIZE, DESCRIBE_SIZE, 3])); // shapes only: no random init
  try {
    const layers = backbone.layers;
    const layerNames = layers.map((l) => l.name);
    const hasWeights = layersWithWeights(layers);
    const tunable = layers.map((l) => l.trainableWeights.length > 0);
    const genome: GenomeInfo = { model: info.name, genomeLength: layers.length, layerNames, hasWeights, tunable, blocks: findBlocks(layerNames, tunable) };
    const weighted = layers.filter((l) => l.weights.length > 0).map((l) => ({
      name: l.name,
      weights: l.weights.map((v) => ({ name: v.name, ...(v.originalName ? { originalName: v.originalName } : {}), shape: (v.shape as number[]).slice() })),
    }));
    const result = { genome, layers: weighted };
    cache.set(info.name, result);
    return result;
  } finally {
    backbone.dispose();
  }
}

/** Layer names, weighted/tunable flags and blocks of zoo model `model` (see {@link describeBackbone}). */
export function describeGenome(model: string): GenomeInfo {
  return describeBackbone(model).genome;
}
