import type { CrossoverStrategy } from './crossover/base.js';
import { GaEngine, freezeFitness, type CacheEntry, type EngineParts } from './engine.js';
import { GaOptionsError, GaStateError, describe } from './errors.js';
import { Genome } from './genome.js';
import { checkGenome, resolveLocks, type GeneLocks } from './locks.js';
import type { MutationStrategy } from './mutation/base.js';
import type { StrategySpec } from './operators.js';
import { resolveOptions, type GaOptions } from './options.js';
import { Rng } from './rng.js';
import { maskProblem } from '@slt/util';
import type { SelectionStrategy } from './selection/base.js';
import { GA_STATE_FORMAT, GA_STATE_VERSION, type GaState } from './state-types.js';
import { BUILTIN_CROSSOVERS, BUILTIN_MUTATIONS, BUILTIN_SELECTIONS } from './strategies.js';
import type { BestResult, Fitness, FitnessSource, GenerationStats } from './types.js';

/** Creates an engine at generation 0 (random, p = initialBitProbability per unlocked gene). */
export function createGa(options: GaOptions): GaEngine {
  const resolved = resolveOptions(options);
  const locks = resolveLocks(resolved.genomeLength, options.lockedGenes);
  const rng = Rng.fromSeed(resolved.seed);
  const members: Genome[] = [];
  (options.initialPopulation ?? []).forEach((g, i) => {
    try {
      members.push(checkGenome(g, locks, `initialPopulation[${i}]`));
    } catch (e) {
      throw new GaOptionsError(`initialPopulation[${i}]`, g, `a genome of ${locks.length} genes respecting lockedGenes (${(e as Error).message})`, { cause: e });
    }
  });
  while (members.length < resolved.populationSize) members.push(randomGenome(locks, resolved.initialBitProbability, rng));
  return new GaEngine({
    options: resolved,
    locks,
    selection: options.selection ?? BUILTIN_SELECTIONS['truncation'](undefined),
    crossover: options.crossover ?? BUILTIN_CROSSOVERS['paper'](undefined),
    mutation: options.mutation ?? BUILTIN_MUTATIONS['bit-flip'](undefined),
    rng,
    generation: 0,
    done: false,
    announced: false,
    members: members.map((genome) => ({ genome, status: 'pending' })),
    cache: new Map(),
    history: [],
    best: undefined,
    evaluations: 0,
    cacheHits: 0,
    failures: 0,
  });
}

/** A random genome: each unlocked gene is 1 with probability `p` (one draw per unlocked gene, ascending). */
export function randomGenome(locks: GeneLocks, p: number, rng: Rng): Genome {
  const bits = Uint8Array.from(locks.values);
  for (const i of locks.unlocked) bits[i] = rng.chance(p) ? 1 : 0;
  return Genome.fromBits(bits);
}

/** Options of {@link restoreGa}. */
export interface RestoreOptions {
  /** The selection strategy, required when the state names a non-built-in one (names must match). */
  selection?: SelectionStrategy;
  /** The crossover strategy, required when the state names a non-built-in one (names must match). */
  crossover?: CrossoverStrategy;
  /** The mutation strategy, required when the state names a non-built-in one (names must match). */
  mutation?: MutationStrategy;
}

function pickStrategy<T extends { name: string }>(
  kind: string, stored: StrategySpec, given: T | undefined, builtins: Readonly<Record<string, (p: Record<string, unknown> | undefined) => T>>,
): T {
  if (typeof stored !== 'object' || stored === null || typeof stored.name !== 'string') {
    throw new GaStateError(`options.${kind}`, `expected { name, params? }, got ${describe(stored)}`);
  }
  if (given !== undefined) {
    if (given.name !== stored.name) {
      throw new GaOptionsError(kind, given.name, `a strategy named ${JSON.stringify(stored.name)} (the one the state was made with)`);
    }
    return given;
  }
  const factory = Object.hasOwn(builtins, stored.name) ? builtins[stored.name] : undefined;
  if (!factory) {
    throw new GaStateError(`options.${kind}.name`, `${JSON.stringify(stored.name)} is not built in (${Object.keys(builtins).join(', ')}); pass the strategy object in restoreGa(state, { ${kind} })`);
  }
  return factory(stored.params);
}

function checkInt(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new GaStateError(field, `expected an integer in ${min}..${max}, got ${describe(v)}`);
  return v;
}

function checkFitness(field: string, f: unknown): Fitness {
  const v = f as Fitness | null;
  if (typeof v !== 'object' || v === null || typeof v.value !== 'number' || !Number.isFinite(v.value)) {
    throw new GaStateError(field, `expected { value: finite number, ... }, got ${describe(f)}`);
  }
  return freezeFitness(v);
}

/**
 * Rebuilds an engine from `toJSON()` output (also after JSON.stringify/parse). It continues
 * exactly as the original would; genomes that were asked but not told are asked again.
 */
export function restoreGa(state: GaState, options: RestoreOptions = {}): GaEngine {
  if (typeof state !== 'object' || state === null) throw new GaStateError('state', `expected an object, got ${describe(state)}`);
  if (state.format !== GA_STATE_FORMAT) throw new GaStateError('format', `expected ${JSON.stringify(GA_STATE_FORMAT)}, got ${describe(state.format)}`);
  if (state.version !== GA_STATE_VERSION) throw new GaStateError('version', `expected ${GA_STATE_VERSION}, got ${describe(state.version)}`);
  const so = state.options;
  if (typeof so !== 'object' || so === null) throw new GaStateError('options', `expected an object, got ${describe(so)}`);
  let resolved;
  try {
    const { selection: _s, crossover: _c, mutation: _m, ...scalars } = so;
    resolved = resolveOptions(scalars as never);
  } catch (e) {
    throw new GaStateError(`options.${(e as GaOptionsError).option ?? ''}`, (e as Error).message, { cause: e });
  }
  let locks: GeneLocks;
  try {
    locks = resolveLocks(resolved.genomeLength, so.lockedGenes, 'options.lockedGenes');
  } catch (e) {
    throw new GaStateError('options.lockedGenes', (e as Error).message, { cause: e });
  }
  if (!Array.isArray(state.rng) || state.rng.length !== 4 || !state.rng.every((x) => Number.isInteger(x) && x >= -0x8000_0000 && x <= 0xffff_ffff)) {
    throw new GaStateError('rng', `expected four 32-bit integers, got ${describe(state.rng)}`);
  }
  const generation = checkInt('generation', state.generation, 0, resolved.generations - 1);
  if (typeof state.done !== 'boolean') throw new GaStateError('done', `expected a boolean, got ${describe(state.done)}`);
  if (!Array.isArray(state.cache)) throw new GaStateError('cache', `expected an array, got ${describe(state.cache)}`);
  const cache = new Map<string, CacheEntry>();
  state.cache.forEach((entry, i) => {
    const key = checkKey(`cache[${i}].key`, entry?.key, locks);
    if (cache.has(key)) throw new GaStateError(`cache[${i}].key`, 'appears twice in the cache');
    cache.set(key, {
      fitness: checkFitness(`cache[${i}].fitness`, entry.fitness),
      generation: checkInt(`cache[${i}].generation`, entry.generation, 0, generation),
      index: checkInt(`cache[${i}].index`, entry.index, 0, resolved.populationSize - 1),
    });
  });
  if (!Array.isArray(state.members) || state.members.length !== resolved.populationSize) {
    throw new GaStateError('members', `expected an array of populationSize (${resolved.populationSize}) members, got ${describe(state.members)}`);
  }
  const members = state.members.map((m, i) => {
    const genome = parseKey(`members[${i}].key`, m?.key, locks);
    const source = m.source;
    if (source === 'failed') return { genome, status: 'failed' as const, error: typeof m.error === 'string' ? m.error : 'failed' };
    if (source !== undefined && source !== 'evaluated' && source !== 'cached') {
      throw new GaStateError(`members[${i}].source`, `expected 'evaluated', 'cached', 'failed' or absent, got ${describe(source)}`);
    }
    if (source !== undefined && !cache.has(genome.key)) throw new GaStateError(`members[${i}]`, `has source ${source} but its key is not in the cache`);
    if (source === undefined && cache.has(genome.key)) throw new GaStateError(`members[${i}]`, 'is pending but its key is in the cache (it should be cached)');
    return { genome, status: (source ?? 'pending') as 'pending' | FitnessSource | 'failed' };
  });
  if (!state.done && members.every((m) => m.status !== 'pending')) {
    throw new GaStateError('members', 'all members have fitness but the generation was not advanced (not done)');
  }
  if (!Array.isArray(state.history) || state.history.length !== generation + (state.done ? 1 : 0)) {
    throw new GaStateError('history', `expected ${generation + (state.done ? 1 : 0)} generation records, got ${describe(state.history)}`);
  }
  let best: BestResult | undefined;
  if (state.best !== undefined) {
    const genome = parseKey('best.key', state.best.key, locks);
    best = {
      genome,
      fitness: cache.get(genome.key)?.fitness ?? checkFitness('best.fitness', state.best.fitness),
      generation: checkInt('best.generation', state.best.generation, 0, generation),
      index: checkInt('best.index', state.best.index, 0, resolved.populationSize - 1),
    };
  }
  const parts: EngineParts = {
    options: resolved,
    locks,
    selection: pickStrategy('selection', so.selection, options.selection, BUILTIN_SELECTIONS),
    crossover: pickStrategy('crossover', so.crossover, options.crossover, BUILTIN_CROSSOVERS),
    mutation: pickStrategy('mutation', so.mutation, options.mutation, BUILTIN_MUTATIONS),
    rng: Rng.fromState(state.rng),
    generation,
    done: state.done,
    announced: state.announced === true,
    members,
    cache,
    history: state.history.map((h) => ({ ...h }) as GenerationStats),
    best,
    evaluations: checkInt('evaluations', state.evaluations, 0, Number.MAX_SAFE_INTEGER),
    cacheHits: checkInt('cacheHits', state.cacheHits, 0, Number.MAX_SAFE_INTEGER),
    failures: state.failures === undefined ? 0 : checkInt('failures', state.failures, 0, Number.MAX_SAFE_INTEGER),
  };
  return new GaEngine(parts);
}

/** Validates a cache key without building a Genome (restoring a long search stays fast). */
function checkKey(field: string, key: unknown, locks: GeneLocks): string {
  if (typeof key !== 'string' || maskProblem(key, locks.length) !== undefined) {
    throw new GaStateError(field, `expected a '0'/'1' string of genomeLength (${locks.length}) characters, got ${describe(key)}`);
  }
  for (const { index, value } of locks.list) {
    if (key.charCodeAt(index) !== 48 + value) throw new GaStateError(field, `gene ${index} is locked to ${value}`);
  }
  return key;
}

function parseKey(field: string, key: unknown, locks: GeneLocks): Genome {
  try {
    return checkGenome(key, locks, field);
  } catch (e) {
    throw new GaStateError(field, (e as Error).message, { cause: e });
  }
}

