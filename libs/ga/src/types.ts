import type { Genome } from './genome.js';

/** What `tell()` is given for one genome. `value` is maximised. */
export interface Fitness {
  /** The fitness (the paper: best validation accuracy). A finite number. */
  readonly value: number;
  /** Extra objectives, reported only (e.g. trainable parameters, seconds). Finite numbers. */
  readonly objectives?: Readonly<Record<string, number>>;
  /** Anything JSON-serialisable the caller wants kept with the genome (it is part of the state). */
  readonly metadata?: unknown;
}

/** A genome the engine wants evaluated. */
export interface GenomeRequest {
  /** Request id to pass to `tell()`: `"<generation>:<index>"`. */
  readonly id: string;
  /** Generation of the genome. */
  readonly generation: number;
  /** Index of the genome in its generation, 0..n-1. */
  readonly index: number;
  readonly genome: Genome;
}

/** Where a member's fitness came from: evaluated by the caller, or reused from the cache. */
export type FitnessSource = 'evaluated' | 'cached';

/** A member of the current population. */
export interface PopulationMember {
  readonly index: number;
  readonly genome: Genome;
  /** `pending` (not yet asked), `asked` (asked, not told), `evaluated` or `cached`. */
  readonly status: 'pending' | 'asked' | FitnessSource;
  /** Present once evaluated or cached. */
  readonly fitness?: Fitness;
}

/** Statistics of one finished generation. */
export interface GenerationStats {
  readonly generation: number;
  /** Best, mean and worst fitness value of the generation's n members. */
  readonly best: number;
  readonly mean: number;
  readonly worst: number;
  /** Key of the generation's best member (ties: lowest index). */
  readonly bestKey: string;
  /** Genomes evaluated by the caller in this generation. */
  readonly evaluations: number;
  /** Members whose fitness was reused from the cache. */
  readonly cacheHits: number;
}

/** The best genome found so far in the search. */
export interface BestResult {
  readonly genome: Genome;
  readonly fitness: Fitness;
  /** Generation and index where it was first evaluated. */
  readonly generation: number;
  readonly index: number;
}

/** Typed events of the engine (payload per event name). */
export interface GaEvents {
  'generation:started': (e: { generation: number; genomes: readonly Genome[] }) => void;
  'generation:finished': (e: GenerationStats) => void;
  'genome:asked': (e: GenomeRequest) => void;
  'genome:told': (e: GenomeRequest & { fitness: Fitness }) => void;
  'genome:cached': (e: { generation: number; index: number; genome: Genome; fitness: Fitness }) => void;
  'best:improved': (e: BestResult & { previous?: BestResult }) => void;
  'search:finished': (e: { generations: number; best: BestResult | undefined }) => void;
}

/** Name of an engine event. */
export type GaEventName = keyof GaEvents;
