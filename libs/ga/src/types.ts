import type { Genome } from './genome.js';

/** What `tell()` is given for one genome. `value` is maximised. */
export interface Fitness {
  /** The fitness (the paper: best validation accuracy). A finite number. */
  readonly value: number;
  /** Extra objectives, reported only (e.g. trainable parameters, seconds). Finite numbers. */
  readonly objectives?: Readonly<Record<string, number>>;
  /** Tie-breaker: among equal values the lower cost ranks first (e.g. trainable parameters). A finite number when set. */
  readonly cost?: number;
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
  /** The genome to evaluate (its `key` is the mask string). */
  readonly genome: Genome;
}

/** Where a member's fitness came from: evaluated by the caller, or reused from the cache. */
export type FitnessSource = 'evaluated' | 'cached';

/** A member of the current population. */
export interface PopulationMember {
  /** Index in the generation, 0..n-1. */
  readonly index: number;
  /** The member's genome. */
  readonly genome: Genome;
  /** `pending` (not yet asked), `asked` (asked, not told), `evaluated`, `cached` or `failed` (told by `fail()`). */
  readonly status: 'pending' | 'asked' | FitnessSource | 'failed';
  /** Present once evaluated or cached. */
  readonly fitness?: Fitness;
  /** Why the evaluation failed (status `failed`). */
  readonly error?: string;
}

/** Statistics of one finished generation. */
export interface GenerationStats {
  /** Index of the generation, from 0. */
  readonly generation: number;
  /** Best fitness value of the generation's members with a fitness (failed ones excluded; 0 when all failed). */
  readonly best: number;
  /** Mean fitness value of the members with a fitness (summed in index order; 0 when all failed). */
  readonly mean: number;
  /** Worst fitness value of the members with a fitness (0 when all failed). */
  readonly worst: number;
  /** Key of the generation's best member by the tie rule (`compareRanked`); '' when all failed. */
  readonly bestKey: string;
  /** Members whose evaluation failed (never given a fitness). */
  readonly failures: number;
  /** Genomes evaluated by the caller in this generation. */
  readonly evaluations: number;
  /** Members whose fitness was reused from the cache. */
  readonly cacheHits: number;
}

/** The best genome found so far in the search. */
export interface BestResult {
  /** The best genome. */
  readonly genome: Genome;
  /** Its fitness as told. */
  readonly fitness: Fitness;
  /** Generation where it was evaluated. */
  readonly generation: number;
  /** Its index in that generation. */
  readonly index: number;
}

/** Typed events of the engine (payload per event name). */
export interface GaEvents {
  /** A generation's genomes are known (generation 0: at the first ask()). */
  'generation:started': (e: { generation: number; genomes: readonly Genome[] }) => void;
  /** Every member of a generation has fitness; its statistics (also appended to `history`). */
  'generation:finished': (e: GenerationStats) => void;
  /** ask() handed out a request. */
  'genome:asked': (e: GenomeRequest) => void;
  /** tell() recorded a fitness. */
  'genome:told': (e: GenomeRequest & { fitness: Fitness }) => void;
  /** fail() recorded a failed evaluation (no fitness; the genome is not cached and may be asked again later). */
  'genome:failed': (e: GenomeRequest & { error: string }) => void;
  /** A member took the fitness of an already-evaluated identical genome (a cache hit). */
  'genome:cached': (e: { generation: number; index: number; genome: Genome; fitness: Fitness }) => void;
  /** A told fitness ranks before the best so far by the tie rule (`compareRanked`). */
  'best:improved': (e: BestResult & { previous?: BestResult }) => void;
  /** The last generation finished; `done` is now true. */
  'search:finished': (e: { generations: number; best: BestResult | undefined }) => void;
}

/** Name of an engine event. */
export type GaEventName = keyof GaEvents;
