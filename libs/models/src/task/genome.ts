/** Genomes: masks of '0'/'1', bit i = backbone layer i trainable. */
import type * as tf from '@tensorflow/tfjs';
import { maskProblem } from '@slt/util';
import { InvalidMaskError } from '../errors.js';

/** Throws {@link InvalidMaskError} unless `mask` is a string of `genomeLength` '0'/'1' characters. */
export function validateMask(mask: unknown, genomeLength: number): string {
  const problem = maskProblem(mask, genomeLength);
  if (problem !== undefined) throw new InvalidMaskError(String(mask), genomeLength, problem);
  return mask as string;
}

/** The all-frozen mask of a genome length. */
export function freezeAllMask(genomeLength: number): string {
  return '0'.repeat(genomeLength);
}

/** The all-trainable mask of a genome length. */
export function trainAllMask(genomeLength: number): string {
  return '1'.repeat(genomeLength);
}

/** For each layer of `layers` (a model's layer list), whether it has any weights. */
export function layersWithWeights(layers: readonly tf.layers.Layer[]): boolean[] {
  return layers.map((l) => l.weights.length > 0);
}

/** What a search needs to know about a backbone's genome, without pretrained weights. */
export interface GenomeInfo {
  /** Zoo name. */
  model: string;
  /** Genome length (= backbone layer count, `input_1` included). */
  genomeLength: number;
  /** Layer names in genome order. */
  layerNames: string[];
  /** Per layer: has any weights. */
  hasWeights: boolean[];
  /** Per layer: has trainable weights when its bit is 1 (a gene on any other layer trains nothing). */
  tunable: boolean[];
  /** Blocks of layers, as genome indices (see `GeneMode` 'blocks'): a MobileNet dw/pw pair, a ResNet bottleneck, an EfficientNet MBConv, a VGG conv. */
  blocks: number[][];
}
