/** @slt/ga: the paper's genetic algorithm over layer masks as a pure, seeded, serialisable ask/tell engine. */
export { GaError, GaOptionsError, GenomeError, GaTellError, GaStateError, GaListenerError } from './errors.js';
export { Genome } from './genome.js';
export type { Bit } from './genome.js';
export { resolveLocks } from './locks.js';
export type { LockedGene, LockedGeneInput, GeneLocks } from './locks.js';
export { Rng } from './rng.js';
export type { RngState } from './rng.js';
export { PRESETS } from './options.js';
export type { GaOptions, PresetName, PresetValues, ResolvedGaOptions } from './options.js';
export { GaEngine } from './engine.js';
export { compareRanked } from './ranking.js';
export type { RankKey } from './ranking.js';
export { createGa, restoreGa, randomGenome } from './create.js';
export type { RestoreOptions } from './create.js';
export { GA_STATE_FORMAT, GA_STATE_VERSION } from './state-types.js';
export type { GaState } from './state-types.js';
export type {
  Fitness, FitnessSource, GenomeRequest, PopulationMember, GenerationStats, BestResult, GaEvents, GaEventName,
} from './types.js';
export type { OperatorContext, ScoredGenome, StrategySpec } from './operators.js';
export type { SelectionStrategy } from './selection/base.js';
export { TruncationSelection } from './selection/truncation.js';
export { TournamentSelection } from './selection/tournament.js';
export type { TournamentSelectionOptions } from './selection/tournament.js';
export type { CrossoverStrategy } from './crossover/base.js';
export { PaperCrossover } from './crossover/paper.js';
export { UniformCrossover } from './crossover/uniform.js';
export { halfCrossover, onePointCrossover } from './crossover/operators.js';
export type { MutationStrategy } from './mutation/base.js';
export { BitFlipMutation } from './mutation/bit-flip.js';
export { baselineMasks } from './baselines.js';
export type { BaselineOptions, BaselineMask, BaselineKind } from './baselines.js';
