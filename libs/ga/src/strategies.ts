import type { CrossoverStrategy } from './crossover/base.js';
import { PaperCrossover } from './crossover/paper.js';
import { UniformCrossover } from './crossover/uniform.js';
import type { MutationStrategy } from './mutation/base.js';
import { BitFlipMutation } from './mutation/bit-flip.js';
import type { SelectionStrategy } from './selection/base.js';
import { TournamentSelection } from './selection/tournament.js';
import { TruncationSelection } from './selection/truncation.js';

type Factory<T> = (params: Record<string, unknown> | undefined) => T;

/** Built-in strategies by name, used to rebuild them from a serialised state. */
export const BUILTIN_SELECTIONS: Readonly<Record<string, Factory<SelectionStrategy>>> = {
  truncation: () => new TruncationSelection(),
  tournament: (p) => new TournamentSelection({ size: p?.['size'] as number | undefined }),
};
export const BUILTIN_CROSSOVERS: Readonly<Record<string, Factory<CrossoverStrategy>>> = {
  paper: () => new PaperCrossover(),
  uniform: () => new UniformCrossover(),
};
export const BUILTIN_MUTATIONS: Readonly<Record<string, Factory<MutationStrategy>>> = {
  'bit-flip': () => new BitFlipMutation(),
};
