/** Genome facts of a zoo backbone, computed once per process (building a backbone costs seconds). */
import { getModelInfo } from '../zoo/table.js';
import { findBlocks } from './genes.js';
import { type GenomeInfo, layersWithWeights } from './genome.js';

const cache = new Map<string, GenomeInfo>();

/**
 * Layer names, weighted/tunable flags and blocks of zoo model `model` (independent of the input size).
 * Builds the backbone once at 32x32x3, frees it, and caches the answer.
 */
export function describeGenome(model: string): GenomeInfo {
  const info = getModelInfo(model);
  const hit = cache.get(info.name);
  if (hit) return hit;
  const backbone = info.builder([32, 32, 3]);
  try {
    const layers = backbone.layers;
    const layerNames = layers.map((l) => l.name);
    const hasWeights = layersWithWeights(layers);
    const tunable = layers.map((l) => l.trainableWeights.length > 0);
    const result: GenomeInfo = { model: info.name, genomeLength: layers.length, layerNames, hasWeights, tunable, blocks: findBlocks(layerNames, tunable) };
    cache.set(info.name, result);
    return result;
  } finally {
    backbone.dispose();
  }
}
