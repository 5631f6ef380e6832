/** Adapter over @slt/ga: the ask/tell engine, its state, and the baseline masks. */
import * as gaLib from '@slt/ga';
import { SearchSetupError } from '../errors.js';
import type { BaselineMask, GaGenerationStats, GaPort } from './types.js';

const lib = gaLib as Record<string, any>;

function need(name: string): (...args: any[]) => any {
  const fn = lib[name];
  if (typeof fn !== 'function') throw new SearchSetupError('ga', `@slt/ga does not export ${name}() yet`);
  return fn;
}

/** Options of a new GA. */
export interface GaSetup {
  genomeLength: number;
  population: number;
  generations: number;
  preset: 'paper' | 'elitist';
  seed: number;
  lockedGenes?: number[];
}

function wrap(engine: any): GaPort {
  const key = (g: any): string => (typeof g === 'string' ? g : String(g?.key ?? g));
  return {
    get done() {
      return engine.done as boolean;
    },
    get generation() {
      return engine.generation as number;
    },
    ask() {
      const r = engine.ask();
      return r ? { id: r.id, generation: r.generation, index: r.index, mask: key(r.genome) } : null;
    },
    tell(id, fitness, objectives) {
      engine.tell(id, objectives ? { value: fitness, objectives } : { value: fitness });
    },
    snapshot() {
      if (typeof engine.toJSON === 'function') return engine.toJSON();
      if (typeof engine.serialize === 'function') return engine.serialize();
      if (typeof engine.state === 'function') return engine.state();
      return need('serializeGa')(engine);
    },
    population() {
      return (engine.population() as any[]).map((m) => ({ index: m.index, mask: key(m.genome), status: m.status, fitness: m.fitness?.value }));
    },
    onGenerationStarted(fn) {
      engine.on('generation:started', (e: { generation: number }) => fn(e.generation));
    },
    onGenerationFinished(fn) {
      engine.on('generation:finished', (e: GaGenerationStats) => fn(e));
    },
    onCached(fn) {
      engine.on('genome:cached', (e: any) => fn({ generation: e.generation, index: e.index, mask: key(e.genome), fitness: e.fitness.value }));
    },
  };
}

/** Creates a seeded GA engine. */
export function createGaPort(setup: GaSetup): GaPort {
  try {
    return wrap(need('createGa')({
      genomeLength: setup.genomeLength,
      populationSize: setup.population,
      generations: setup.generations,
      preset: setup.preset,
      seed: setup.seed,
      ...(setup.lockedGenes?.length ? { lockedGenes: setup.lockedGenes } : {}),
    }));
  } catch (cause) {
    if (cause instanceof SearchSetupError) throw cause;
    throw new SearchSetupError('ga', (cause as Error).message, { cause });
  }
}

/** Restores a GA engine from a `ga.snapshot` state. */
export function restoreGaPort(state: unknown): GaPort {
  try {
    return wrap(need('restoreGa')(state));
  } catch (cause) {
    if (cause instanceof SearchSetupError) throw cause;
    throw new SearchSetupError('ga', `cannot restore the GA from the journal: ${(cause as Error).message}`, { cause });
  }
}

/**
 * The paper's baselines for a genome of `genomeLength` layers: freeze all, train all, heuristic
 * (last half trainable) and `random` random masks with `trainableLayers` set bits.
 */
export function baselineMasksPort(genomeLength: number, trainableLayers: number, random: number, seed: number): BaselineMask[] {
  const fn = need('baselineMasks');
  const out = fn(genomeLength, { trainableLayers, random, randomCount: random, seed });
  const list: any[] = Array.isArray(out) ? out : Object.entries(out).map(([label, mask]) => ({ label, mask }));
  return list.map((b) => ({ label: String(b.label ?? b.name ?? b.kind), mask: typeof b.mask === 'string' ? b.mask : String(b.mask?.key ?? b.genome?.key ?? b.genome) }));
}
