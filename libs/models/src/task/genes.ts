/**
 * What a GA gene stands for. `layers` (the paper): one gene per backbone layer; `weighted`: only
 * layers with (trainable) weights are genes (the others are locked at 0: a '1' on them trains nothing);
 * `blocks`: one gene per block (a MobileNet dw/pw pair, a ResNet bottleneck, an EfficientNet
 * MBConv, a VGG conv), carried by the block's first layer with weights, the others locked.
 * The GA always works on layer-length genomes; {@link GeneLayout.expand} turns one into the mask
 * the trainer applies, and {@link GeneLayout.effective} into what really trains (the cache key).
 */
import { InvalidOptionError } from '../errors.js';
import type { GenomeInfo } from './genome.js';

/** How genes map to layers (see the file comment). */
export type GeneMode = 'layers' | 'weighted' | 'blocks';
/** Every {@link GeneMode}, the default first. */
export const GENE_MODES: readonly GeneMode[] = ['layers', 'weighted', 'blocks'];

/** The genes of one backbone under one {@link GeneMode}. */
export interface GeneLayout {
  mode: GeneMode;
  /** Genome length (= backbone layers). */
  genomeLength: number;
  /** Genes the GA must keep at 0 (ascending). */
  locked: number[];
  /** Free genes (genomeLength - locked.length). */
  genes: number;
  /** The mask the trainer applies: for `blocks`, every layer of a block takes its gene's bit. */
  expand(mask: string): string;
  /** What really trains: {@link GeneLayout.expand} with every layer without weights at 0. */
  effective(mask: string): string;
  /** Layers with weights that train under `mask` (the `trainable layers` of the tables). */
  weightedTrainable(mask: string): number;
}

/**
 * Groups layer names into blocks by family naming (keras.applications names). Layers outside any
 * block (input, paddings, pools, heads) get no block unless they have weights (then one each).
 */
export function findBlocks(layerNames: readonly string[], hasWeights: readonly boolean[]): number[][] {
  // hasWeights: per layer, whether it has trainable weights (describeGenome passes `tunable`)
  const keyOf = (name: string): string | undefined => {
    let m = /^conv_(?:pad|dw|pw)_(\d+)/.exec(name); // MobileNet v1 block i
    if (m) return `mb${m[1]}`;
    m = /^(conv\d_block\d+)_/.exec(name); // ResNet bottleneck
    if (m) return m[1];
    m = /^(block\d+[a-z])_/.exec(name); // EfficientNet MBConv
    if (m) return m[1];
    m = /^(conv1|stem|top)(?:_|$)/.exec(name); // stems and tops: one block each
    if (m) return m[1];
    return undefined; // VGG convs (block1_conv1 ...) and everything else: one per weighted layer
  };
  const blocks: number[][] = [];
  const byKey = new Map<string, number[]>();
  layerNames.forEach((name, i) => {
    const key = keyOf(name);
    if (key === undefined) {
      if (hasWeights[i]) blocks.push([i]);
      return;
    }
    let b = byKey.get(key);
    if (!b) {
      b = [];
      byKey.set(key, b);
      blocks.push(b);
    }
    b.push(i);
  });
  return blocks.filter((b) => b.some((i) => hasWeights[i]));
}

const ones = (mask: string): number => {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask.charCodeAt(i) === 49) n++;
  return n;
};

/** The {@link GeneLayout} of a backbone (from `describeGenome`) under `mode`. */
export function geneLayout(info: Pick<GenomeInfo, 'genomeLength' | 'tunable' | 'blocks'>, mode: GeneMode = 'layers'): GeneLayout {
  if (!GENE_MODES.includes(mode)) throw new InvalidOptionError('genes', mode, GENE_MODES.map((m) => `'${m}'`).join(', '));
  const L = info.genomeLength;
  const carrier = new Map<number, number[]>(); // gene -> the weighted layers it sets (blocks)
  const free = new Set<number>();
  if (mode === 'layers') for (let i = 0; i < L; i++) free.add(i);
  else if (mode === 'weighted') info.tunable.forEach((w, i) => w && free.add(i));
  else {
    for (const b of info.blocks) {
      const weighted = b.filter((i) => info.tunable[i]);
      free.add(weighted[0]!);
      carrier.set(weighted[0]!, weighted);
    }
  }
  const locked = Array.from({ length: L }, (_, i) => i).filter((i) => !free.has(i));
  const check = (mask: string): void => {
    if (mask.length !== L) throw new InvalidOptionError('mask', mask, `${L} characters '0'/'1'`);
  };
  const expand = (mask: string): string => {
    check(mask);
    if (mode !== 'blocks') return mask;
    const out = new Array<string>(L).fill('0');
    for (const [gene, layers] of carrier) if (mask[gene] === '1') for (const i of layers) out[i] = '1';
    return out.join('');
  };
  const effective = (mask: string): string => {
    const m = expand(mask);
    let out = '';
    for (let i = 0; i < L; i++) out += m[i] === '1' && info.tunable[i] ? '1' : '0';
    return out;
  };
  return { mode, genomeLength: L, locked, genes: L - locked.length, expand, effective, weightedTrainable: (mask) => ones(effective(mask)) };
}
