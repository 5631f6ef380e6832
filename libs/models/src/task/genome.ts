/** Genomes (masks of '0'/'1', bit i = backbone layer i trainable) and the backbone's graph cuts. */
import type * as tf from '@tensorflow/tfjs';
import { InvalidMaskError } from '../errors.js';

/** Throws {@link InvalidMaskError} unless `mask` is a string of `genomeLength` '0'/'1' characters. */
export function validateMask(mask: unknown, genomeLength: number): string {
  if (typeof mask !== 'string') throw new InvalidMaskError(String(mask), genomeLength, `not a string but ${typeof mask}`);
  if (mask.length !== genomeLength) throw new InvalidMaskError(mask, genomeLength, `has ${mask.length} characters`);
  const bad = mask.search(/[^01]/);
  if (bad >= 0) throw new InvalidMaskError(mask, genomeLength, `character ${bad} is '${mask[bad]}'`);
  return mask;
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

/**
 * Indices k (1..n) such that the first k of `layers` (a model's layers in order) form a clean prefix: the output of layer k-1 is
 * the only tensor produced by layers 0..k-1 that later layers consume. A frozen prefix can be
 * computed once only when it ends at such a cut (residual blocks are cut only at their outputs).
 */
export function cutPoints(layers: readonly tf.layers.Layer[]): number[] {
  const index = new Map(layers.map((l, i) => [l, i] as const));
  const lastUse = layers.map(() => -1);
  layers.forEach((layer, j) => {
    for (const node of layer.inboundNodes) {
      for (const src of node.inboundLayers) {
        const i = index.get(src);
        if (i !== undefined && j > lastUse[i]) lastUse[i] = j;
      }
    }
  });
  const cuts: number[] = [];
  let maxLastUse = -1; // max of lastUse over layers 0..k-2
  for (let k = 1; k <= layers.length; k++) {
    if (maxLastUse <= k - 1) cuts.push(k);
    maxLastUse = Math.max(maxLastUse, lastUse[k - 1]);
  }
  return cuts;
}

/**
 * The longest frozen prefix of `mask` that ends at a cut point: the largest k in `cuts` with
 * mask[0..k-1] all '0'. Returns 0 when none (e.g. the first weighted layer is trainable).
 */
export function frozenPrefixLength(mask: string, cuts: readonly number[]): number {
  const firstTrainable = mask.indexOf('1');
  const limit = firstTrainable < 0 ? mask.length : firstTrainable;
  let best = 0;
  for (const k of cuts) if (k <= limit && k > best) best = k;
  return best;
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
  /** Per layer: has trainable weights when its bit is 1 (other genes change nothing: lock them). */
  tunable: boolean[];
  /** Clean prefix lengths (see {@link cutPoints}). */
  cuts: number[];
}
