/** Adapter over @slt/ga: the ask/tell engine, its state, and the baseline masks. */
import { baselineMasks, compareRanked, createGa, restoreGa, type GaEngine, type GaState } from '@slt/ga';
import { SearchSetupError } from '../errors.js';
import type { BaselineMask, GaPort } from './types.js';

/** Options of a new GA. */
export interface GaSetup {
  genomeLength: number;
  population: number;
  generations: number;
  preset: 'paper' | 'elitist';
  seed: number;
  lockedGenes?: number[];
}

function wrap(engine: GaEngine): GaPort {
  return {
    get done() {
      return engine.done;
    },
    get generation() {
      return engine.generation;
    },
    ask() {
      const r = engine.ask();
      return r ? { id: r.id, generation: r.generation, index: r.index, mask: r.genome.key } : null;
    },
    tell(id, fitness, extra) {
      engine.tell(id, {
        value: fitness,
        ...(extra?.cost !== undefined && Number.isFinite(extra.cost) ? { cost: extra.cost } : {}),
        ...(extra?.objectives ? { objectives: extra.objectives } : {}),
      });
    },
    fail(id, error) {
      engine.fail(id, error);
    },
    options() {
      // Resolved scalars plus the strategies (name and params) and the locked genes.
      return { ...engine.toJSON().options } as unknown as Record<string, unknown>;
    },
    snapshot() {
      return engine.toJSON();
    },
    population() {
      return engine.population().map((m) => ({ index: m.index, mask: m.genome.key, status: m.status, fitness: m.fitness?.value }));
    },
    onGenerationStarted(fn) {
      engine.on('generation:started', (e) => fn(e.generation));
    },
    onGenerationFinished(fn) {
      engine.on('generation:finished', (e) => fn(e));
    },
    onCached(fn) {
      engine.on('genome:cached', (e) => fn({ generation: e.generation, index: e.index, mask: e.genome.key, fitness: e.fitness.value }));
    },
  };
}

/** Creates a seeded GA engine. */
export function createGaPort(setup: GaSetup): GaPort {
  try {
    return wrap(createGa({
      genomeLength: setup.genomeLength,
      populationSize: setup.population,
      generations: setup.generations,
      preset: setup.preset,
      seed: setup.seed,
      ...(setup.lockedGenes?.length ? { lockedGenes: setup.lockedGenes } : {}),
    }));
  } catch (cause) {
    throw new SearchSetupError('ga', (cause as Error).message, { cause });
  }
}

/** The GA's resolved options for `setup` (presets and defaults applied, strategies named): what runs. */
export function resolvedGaOptions(setup: GaSetup): Record<string, unknown> {
  return createGaPort(setup).options();
}

/** Restores a GA engine from a `ga.snapshot` state. */
export function restoreGaPort(state: unknown): GaPort {
  try {
    return wrap(restoreGa(state as GaState));
  } catch (cause) {
    throw new SearchSetupError('ga', `cannot restore the GA from the journal: ${(cause as Error).message}`, { cause });
  }
}

/**
 * The paper's baselines for a genome of `genomeLength` layers: freeze all, train all, heuristic
 * (last half trainable) and `random` random masks with `trainableLayers` set bits.
 */
export function baselineMasksPort(genomeLength: number, trainableLayers: number, random: number, seed: number): BaselineMask[] {
  try {
    return baselineMasks(genomeLength, { randomCount: random, trainableCount: trainableLayers, seed }).map((b) => ({ label: b.name, mask: b.genome.key }));
  } catch (cause) {
    throw new SearchSetupError('ga', `baselines: ${(cause as Error).message}`, { cause });
  }
}

/** What the tie rule compares of one evaluation. */
export interface RankedEvaluation {
  fitness: number;
  trainableParams?: number;
  generation: number;
  index: number;
  failed?: boolean;
}

/**
 * The search's one tie rule (from @slt/ga): higher fitness first, then fewer trainable parameters,
 * then earlier generation, then lower index; failed evaluations last. Use it wherever a best or a
 * rank is chosen (GA, reducer, compare table) so results do not depend on timing.
 */
export function compareEvaluations(a: RankedEvaluation, b: RankedEvaluation): number {
  return compareRanked(
    { value: a.fitness, cost: a.trainableParams, generation: a.generation, index: a.index, failed: a.failed },
    { value: b.fitness, cost: b.trainableParams, generation: b.generation, index: b.index, failed: b.failed },
  );
}
