import type { CrossoverStrategy } from './crossover/base.js';
import { GaOptionsError } from './errors.js';
import type { Genome } from './genome.js';
import type { LockedGeneInput } from './locks.js';
import type { MutationStrategy } from './mutation/base.js';
import type { SelectionStrategy } from './selection/base.js';
import { BUILTIN_CROSSOVERS, BUILTIN_MUTATIONS, BUILTIN_SELECTIONS } from './strategies.js';

/** Name of a preset in {@link PRESETS}. */
export type PresetName = 'paper' | 'elitist';

/** The numbers a preset fixes (every one can be overridden by the option of the same name). */
export interface PresetValues {
  /** Population size n. */
  readonly populationSize: number;
  /** Generations evaluated (generation 0 included). */
  readonly generations: number;
  /** Probability that an unlocked gene flips in mutation. */
  readonly mutationRate: number;
  /** Probability of a 1 per unlocked gene in generation 0. */
  readonly initialBitProbability: number;
  /** Survivors passing to the next generation unmutated (best first). */
  readonly eliteCount: number;
}

/**
 * Presets. `paper`: Jeong et al. 2022 (keep top n/2, n/4 regular + n/4 one-point children,
 * mutate everyone with 0.04, generation 0 with p = 0.5); `elitist`: the same but the best 2
 * survivors pass unmutated. Population size and generation count are this tool's defaults.
 */
export const PRESETS: Readonly<Record<PresetName, PresetValues>> = Object.freeze({
  paper: Object.freeze({ populationSize: 20, generations: 20, mutationRate: 0.04, initialBitProbability: 0.5, eliteCount: 0 }),
  elitist: Object.freeze({ populationSize: 20, generations: 20, mutationRate: 0.04, initialBitProbability: 0.5, eliteCount: 2 }),
});

/** Options of {@link createGa}: one object, validated eagerly. */
export interface GaOptions {
  /** Genome length L (layers of the backbone), an integer in 2..1000000. Required. */
  genomeLength: number;
  /** Preset supplying the defaults below (default `paper`). */
  preset?: PresetName;
  /** Population size n, a multiple of 4 in 4..100000 (preset default 20). */
  populationSize?: number;
  /** Generations to evaluate, generation 0 included, an integer in 1..1000000 (preset default 20). */
  generations?: number;
  /** Per-gene flip probability in mutation, in [0, 1] (paper: 0.04). */
  mutationRate?: number;
  /** Probability of a 1 per unlocked gene in generation 0, in [0, 1] (paper: 0.5). */
  initialBitProbability?: number;
  /** Survivors per generation, an integer in 2..n-1 (paper: n/2). */
  survivorCount?: number;
  /** Best survivors passing unmutated, an integer in 0..survivorCount (paper 0, elitist 2). */
  eliteCount?: number;
  /** PRNG seed, an integer in 0..4294967295 (default 0). */
  seed?: number;
  /** Genes never flipped: indices (held at 0) or `{ index, value }`. */
  lockedGenes?: readonly LockedGeneInput[];
  /** Genomes placed first in generation 0 ('0'/'1' strings or Genomes; at most n); the rest is random. */
  initialPopulation?: readonly (string | Genome)[];
  /** Selection strategy (default: the paper's truncation to the top survivorCount). */
  selection?: SelectionStrategy;
  /** Crossover strategy (default: the paper's regular + one-point crossover). */
  crossover?: CrossoverStrategy;
  /** Mutation strategy (default: the paper's independent bit flips). */
  mutation?: MutationStrategy;
}

/** Options after presets and defaults, as stored in the state. */
export interface ResolvedGaOptions {
  /** Genome length L. */
  readonly genomeLength: number;
  /** Preset the defaults came from. */
  readonly preset: PresetName;
  /** Population size n. */
  readonly populationSize: number;
  /** Generations to evaluate (generation 0 included). */
  readonly generations: number;
  /** Per-gene flip probability. */
  readonly mutationRate: number;
  /** Probability of a 1 per unlocked gene in generation 0. */
  readonly initialBitProbability: number;
  /** Survivors per generation. */
  readonly survivorCount: number;
  /** Survivors passing unmutated. */
  readonly eliteCount: number;
  /** PRNG seed. */
  readonly seed: number;
}

const KNOWN: readonly string[] = [
  'genomeLength', 'preset', 'populationSize', 'generations', 'mutationRate', 'initialBitProbability',
  'survivorCount', 'eliteCount', 'seed', 'lockedGenes', 'initialPopulation', 'selection', 'crossover', 'mutation',
];

function int(option: string, value: unknown, min: number, max: number, extra = ''): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new GaOptionsError(option, value, `an integer in ${min}..${max}${extra}`);
  }
  return value;
}

function probability(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new GaOptionsError(option, value, 'a number in [0, 1]');
  }
  return value;
}

function strategy(option: string, value: unknown, method: string, builtins: Record<string, unknown>): void {
  if (value === undefined) return;
  const v = value as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null || typeof v['name'] !== 'string' || typeof v[method] !== 'function') {
    throw new GaOptionsError(option, value, `an object with a string 'name' and a ${method}() method (built-in: ${Object.keys(builtins).join(', ')})`);
  }
}

/** Validates the scalar options and applies preset defaults. Throws {@link GaOptionsError}. */
export function resolveOptions(options: GaOptions): ResolvedGaOptions {
  if (typeof options !== 'object' || options === null) throw new GaOptionsError('options', options, 'an object with at least genomeLength');
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) throw new GaOptionsError(key, (options as unknown as Record<string, unknown>)[key], `no such option; valid options: ${KNOWN.join(', ')}`);
  }
  const preset = options.preset ?? 'paper';
  if (!Object.hasOwn(PRESETS, preset)) throw new GaOptionsError('preset', preset, `one of ${Object.keys(PRESETS).join(', ')}`);
  const p = PRESETS[preset];
  const genomeLength = int('genomeLength', options.genomeLength, 2, 1_000_000);
  const populationSize = options.populationSize ?? p.populationSize;
  if (typeof populationSize !== 'number' || !Number.isInteger(populationSize) || populationSize < 4 || populationSize > 100_000 || populationSize % 4 !== 0) {
    throw new GaOptionsError('populationSize', populationSize, 'a multiple of 4 in 4..100000 (n/2 survive, n/4 regular and n/4 one-point children)');
  }
  const generations = int('generations', options.generations ?? p.generations, 1, 1_000_000);
  const mutationRate = probability('mutationRate', options.mutationRate ?? p.mutationRate);
  const initialBitProbability = probability('initialBitProbability', options.initialBitProbability ?? p.initialBitProbability);
  const survivorCount = int('survivorCount', options.survivorCount ?? populationSize / 2, 2, populationSize - 1, ` (populationSize ${populationSize})`);
  const eliteCount = int('eliteCount', options.eliteCount ?? Math.min(p.eliteCount, survivorCount), 0, survivorCount, ` (survivorCount ${survivorCount})`);
  const seed = int('seed', options.seed ?? 0, 0, 0xffff_ffff);
  strategy('selection', options.selection, 'select', BUILTIN_SELECTIONS);
  strategy('crossover', options.crossover, 'breed', BUILTIN_CROSSOVERS);
  strategy('mutation', options.mutation, 'mutate', BUILTIN_MUTATIONS);
  if (options.initialPopulation !== undefined) {
    if (!Array.isArray(options.initialPopulation) || options.initialPopulation.length > populationSize) {
      throw new GaOptionsError('initialPopulation', options.initialPopulation, `an array of at most populationSize (${populationSize}) genomes`);
    }
  }
  return { genomeLength, preset, populationSize, generations, mutationRate, initialBitProbability, survivorCount, eliteCount, seed };
}
