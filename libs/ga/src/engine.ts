import { createNanoEvents, type Emitter, type Unsubscribe } from 'nanoevents';
import type { CrossoverStrategy } from './crossover/base.js';
import { GaError, GaListenerError, GaTellError, describe } from './errors.js';
import { Genome } from './genome.js';
import { lockViolation, type GeneLocks } from './locks.js';
import type { MutationStrategy } from './mutation/base.js';
import type { OperatorContext, ScoredGenome, StrategySpec } from './operators.js';
import { compareRanked, rankScored } from './ranking.js';
import type { ResolvedGaOptions } from './options.js';
import type { Rng } from './rng.js';
import type { SelectionStrategy } from './selection/base.js';
import { GA_STATE_FORMAT, GA_STATE_VERSION, type GaState } from './state-types.js';
import type {
  BestResult, Fitness, FitnessSource, GaEventName, GaEvents, GenerationStats, GenomeRequest, PopulationMember,
} from './types.js';

/** Everything an engine is made of (built by createGa / restoreGa). */
export interface EngineParts {
  options: ResolvedGaOptions;
  locks: GeneLocks;
  selection: SelectionStrategy;
  crossover: CrossoverStrategy;
  mutation: MutationStrategy;
  rng: Rng;
  generation: number;
  done: boolean;
  announced: boolean;
  members: { genome: Genome; status: 'pending' | FitnessSource | 'failed'; error?: string }[];
  /** Every evaluated genome: fitness and where it was first evaluated. */
  cache: Map<string, CacheEntry>;
  history: GenerationStats[];
  best: BestResult | undefined;
  evaluations: number;
  cacheHits: number;
  /** Evaluations told as failed so far (see `fail()`). */
  failures: number;
}

/** A cache entry: the fitness and the generation/index where the genome was evaluated. */
export interface CacheEntry {
  readonly fitness: Fitness;
  readonly generation: number;
  readonly index: number;
}

type Member = EngineParts['members'][number] | { genome: Genome; status: 'asked'; error?: undefined };
type Queued = { [K in GaEventName]: [K, Parameters<GaEvents[K]>[0]] }[GaEventName];

/**
 * The paper's GA as an ask/tell engine: pure (trains and logs nothing), seeded and serialisable.
 * Create it with `createGa(options)` or `restoreGa(state)`.
 */
export class GaEngine {
  /** @internal */ readonly parts: EngineParts;
  private members: Member[];
  private readonly outstanding = new Map<string, number>(); // key -> index of the asked member
  private readonly emitter: Emitter<GaEvents> = createNanoEvents<GaEvents>();
  private queue: Queued[] = [];

  /** @internal use createGa / restoreGa */
  constructor(parts: EngineParts) {
    this.parts = parts;
    this.members = parts.members.map((m) => ({ ...m }));
  }

  /** The resolved options (presets and defaults applied). */
  get options(): ResolvedGaOptions {
    return this.parts.options;
  }

  /** True once the last generation has been fully evaluated. */
  get done(): boolean {
    return this.parts.done;
  }

  /** Index of the current generation (the last one once done). */
  get generation(): number {
    return this.parts.generation;
  }

  /** Per-generation statistics of the finished generations, oldest first. */
  get history(): readonly GenerationStats[] {
    return this.parts.history.slice();
  }

  /** Genomes evaluated by the caller so far (cache hits excluded). */
  get evaluations(): number {
    return this.parts.evaluations;
  }

  /** Fitness values reused from the cache so far. */
  get cacheHits(): number {
    return this.parts.cacheHits;
  }

  /** Evaluations told as failed so far. */
  get failures(): number {
    return this.parts.failures;
  }

  /** Requests asked and not yet told. */
  get pending(): number {
    return this.outstanding.size;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends GaEventName>(event: K, listener: GaEvents[K]): Unsubscribe {
    return this.emitter.on(event, listener);
  }

  /**
   * The next genome of the current generation that needs evaluating, or null when none does
   * until more tells arrive (or the search is done). Several may be outstanding at once.
   */
  ask(): GenomeRequest | null {
    let req: GenomeRequest | null = null;
    this.announce();
    if (!this.parts.done) {
      for (let i = 0; i < this.members.length; i++) {
        const m = this.members[i];
        if (m.status !== 'pending' || this.outstanding.has(m.genome.key)) continue;
        this.members[i] = { genome: m.genome, status: 'asked' };
        this.outstanding.set(m.genome.key, i);
        req = this.request(i);
        this.queue.push(['genome:asked', req]);
        break;
      }
    }
    this.flush(req);
    return req;
  }

  /** Reports the fitness of an asked genome (any order). Completes the generation when it is the last. */
  tell(id: string, fitness: Fitness): void {
    const index = this.checkTell(id, fitness);
    const m = this.members[index];
    const stored = freezeFitness(fitness);
    try {
      this.outstanding.delete(m.genome.key);
      this.members[index] = { genome: m.genome, status: 'evaluated' };
      this.parts.cache.set(m.genome.key, { fitness: stored, generation: this.parts.generation, index });
      this.parts.evaluations++;
      this.queue.push(['genome:told', { ...this.request(index), fitness: stored }]);
      this.improve(index, stored);
      this.resolveCached();
      this.advance();
    } finally {
      this.flush();
    }
  }

  /**
   * Reports that an asked genome's evaluation failed (crash, out of memory, NaN): it gets no
   * fitness, is not cached (an identical genome asked later is evaluated again) and ranks after
   * every genome with a fitness when the next generation is bred.
   */
  fail(id: string, error: string): void {
    const index = this.checkTell(id, { value: 0 });
    const m = this.members[index];
    const reason = typeof error === 'string' && error !== '' ? error : 'failed';
    try {
      this.outstanding.delete(m.genome.key);
      this.members[index] = { genome: m.genome, status: 'failed', error: reason };
      this.parts.failures++;
      this.queue.push(['genome:failed', { ...this.request(index), error: reason }]);
      this.advance();
    } finally {
      this.flush();
    }
  }

  /** The current population (with fitness where known). */
  population(): PopulationMember[] {
    return this.members.map((m, index) => {
      if (m.status === 'failed') return { index, genome: m.genome, status: m.status, error: m.error ?? 'failed' };
      const fitness = m.status === 'evaluated' || m.status === 'cached' ? this.parts.cache.get(m.genome.key)?.fitness : undefined;
      return fitness === undefined ? { index, genome: m.genome, status: m.status } : { index, genome: m.genome, status: m.status, fitness };
    });
  }

  /** The best genome found so far (undefined before the first tell). */
  best(): BestResult | undefined {
    return this.parts.best;
  }

  /** The cached fitness of a genome (given as Genome or key), if it was evaluated in this search. */
  cached(genome: Genome | string): Fitness | undefined {
    return this.parts.cache.get(typeof genome === 'string' ? genome : genome.key)?.fitness;
  }

  /**
   * The whole engine state as plain JSON data. Asked-but-not-told genomes are stored as pending:
   * a restored engine asks for them again. Restoring and continuing gives, bit for bit, what this
   * engine would give.
   */
  toJSON(): GaState {
    const p = this.parts;
    const members = this.members.map((m) => {
      if (m.status === 'pending' || m.status === 'asked') return { key: m.genome.key };
      return m.status === 'failed' ? { key: m.genome.key, source: m.status, error: m.error ?? 'failed' } : { key: m.genome.key, source: m.status };
    });
    const best = p.best && { key: p.best.genome.key, fitness: p.best.fitness, generation: p.best.generation, index: p.best.index };
    return {
      format: GA_STATE_FORMAT,
      version: GA_STATE_VERSION,
      options: {
        ...p.options,
        lockedGenes: p.locks.list.map((l) => ({ index: l.index, value: l.value })),
        selection: spec(p.selection),
        crossover: spec(p.crossover),
        mutation: spec(p.mutation),
      },
      rng: [...p.rng.state()],
      generation: p.generation,
      done: p.done,
      announced: p.announced,
      members,
      // canonical order (where first evaluated), so the state does not depend on the order of tells
      cache: [...p.cache]
        .map(([key, e]) => ({ key, fitness: e.fitness, generation: e.generation, index: e.index }))
        .sort((a, b) => a.generation - b.generation || a.index - b.index),
      history: p.history.map((h) => ({ ...h })),
      ...(best ? { best } : {}),
      evaluations: p.evaluations,
      cacheHits: p.cacheHits,
      failures: p.failures,
    };
  }

  private request(index: number): GenomeRequest {
    const g = this.parts.generation;
    return { id: `${g}:${index}`, generation: g, index, genome: this.members[index].genome };
  }

  private checkTell(id: string, fitness: Fitness): number {
    if (typeof id !== 'string') throw new GaTellError(`tell(): id must be a string like "3:17", got ${describe(id)}`, String(id));
    const match = /^(\d+):(\d+)$/.exec(id);
    const index = match ? Number(match[2]) : -1;
    const m = this.members[index];
    if (!match || Number(match[1]) !== this.parts.generation || m === undefined || m.status !== 'asked') {
      const open = [...this.outstanding.values()].sort((a, b) => a - b).map((i) => `${this.parts.generation}:${i}`);
      const list = open.length === 0 ? 'none' : open.slice(0, 10).join(', ') + (open.length > 10 ? ', ...' : '');
      throw new GaTellError(`tell(): ${JSON.stringify(id)} is not an outstanding request (already told, never asked, or another generation); outstanding: ${list}`, id);
    }
    if (typeof fitness !== 'object' || fitness === null || typeof fitness.value !== 'number' || !Number.isFinite(fitness.value)) {
      throw new GaTellError(`tell(${JSON.stringify(id)}): fitness.value must be a finite number, got ${describe(fitness?.value ?? fitness)}`, id);
    }
    if (fitness.cost !== undefined && (typeof fitness.cost !== 'number' || !Number.isFinite(fitness.cost))) {
      throw new GaTellError(`tell(${JSON.stringify(id)}): fitness.cost must be a finite number, got ${describe(fitness.cost)}`, id);
    }
    if (fitness.objectives !== undefined) {
      if (typeof fitness.objectives !== 'object' || fitness.objectives === null) {
        throw new GaTellError(`tell(${JSON.stringify(id)}): fitness.objectives must be an object of finite numbers, got ${describe(fitness.objectives)}`, id);
      }
      for (const [k, v] of Object.entries(fitness.objectives)) {
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new GaTellError(`tell(${JSON.stringify(id)}): fitness.objectives.${k} must be a finite number, got ${describe(v)}`, id);
        }
      }
    }
    return index;
  }

  private announce(): void {
    if (this.parts.announced) return;
    this.parts.announced = true;
    this.queue.push(['generation:started', { generation: this.parts.generation, genomes: this.members.map((m) => m.genome) }]);
  }

  private improve(index: number, fitness: Fitness): void {
    const previous = this.parts.best;
    const g = this.parts.generation;
    if (previous !== undefined && compareRanked(
      { value: fitness.value, cost: fitness.cost, generation: g, index },
      { value: previous.fitness.value, cost: previous.fitness.cost, generation: previous.generation, index: previous.index },
    ) >= 0) return;
    const best: BestResult = { genome: this.members[index].genome, fitness, generation: this.parts.generation, index };
    this.parts.best = best;
    this.queue.push(['best:improved', previous === undefined ? { ...best } : { ...best, previous }]);
  }

  /** Members whose key has a cached fitness take it (cache hits). */
  private resolveCached(): void {
    for (let i = 0; i < this.members.length; i++) {
      const m = this.members[i];
      if (m.status !== 'pending') continue;
      const fitness = this.parts.cache.get(m.genome.key)?.fitness;
      if (fitness === undefined) continue;
      this.members[i] = { genome: m.genome, status: 'cached' };
      this.parts.cacheHits++;
      this.queue.push(['genome:cached', { generation: this.parts.generation, index: i, genome: m.genome, fitness }]);
    }
  }

  /** While the current generation is complete: record it, then breed the next (or finish). */
  private advance(): void {
    while (!this.parts.done && this.members.every((m) => m.status === 'evaluated' || m.status === 'cached' || m.status === 'failed')) {
      const stats = this.stats();
      this.parts.history.push(stats);
      this.queue.push(['generation:finished', stats]);
      if (this.parts.generation + 1 >= this.parts.options.generations) {
        this.parts.done = true;
        this.queue.push(['search:finished', { generations: this.parts.history.length, best: this.parts.best }]);
        return;
      }
      this.members = this.breed().map((genome) => ({ genome, status: 'pending' }));
      this.parts.generation++;
      this.parts.announced = false;
      this.announce();
      this.resolveCached();
    }
  }

  private stats(): GenerationStats {
    let worst = Infinity;
    let sum = 0;
    let evaluations = 0;
    let failures = 0;
    let counted = 0;
    for (const m of this.members) {
      if (m.status === 'failed') {
        failures++;
        continue;
      }
      const v = this.parts.cache.get(m.genome.key)!.fitness.value;
      sum += v;
      counted++;
      if (v < worst) worst = v;
      if (m.status === 'evaluated') evaluations++;
    }
    const top = this.ranked()[0];
    const ok = top !== undefined && !top.failed;
    return {
      generation: this.parts.generation, best: ok ? top.fitness : 0, mean: counted ? sum / counted : 0, worst: counted ? worst : 0,
      bestKey: ok ? top.genome.key : '', evaluations, cacheHits: this.members.length - evaluations - failures, failures,
    };
  }

  /** The current population best first by the tie rule (value, cost, index; failed ones last). */
  private ranked(): ScoredGenome[] {
    return this.members
      .map((m, index) => {
        if (m.status === 'failed') return { genome: m.genome, fitness: Number.NEGATIVE_INFINITY, index, failed: true };
        const f = this.parts.cache.get(m.genome.key)!.fitness;
        return f.cost === undefined ? { genome: m.genome, fitness: f.value, index } : { genome: m.genome, fitness: f.value, index, cost: f.cost };
      })
      .sort(rankScored);
  }

  /** One generation step of the paper: select, cross over, mutate (elites excepted). */
  private breed(): Genome[] {
    const { options, locks, rng } = this.parts;
    const ctx: OperatorContext = { rng, genomeLength: options.genomeLength, locks, generation: this.parts.generation };
    const ranked = this.ranked();
    const survivors = this.parts.selection.select(ranked, options.survivorCount, ctx);
    this.checkOutput('selection', this.parts.selection.name, survivors.map((s) => s?.genome), options.survivorCount);
    const kept = survivors.map((s) => s.genome);
    const children = this.parts.crossover.breed(kept, options.populationSize - options.survivorCount, ctx);
    this.checkOutput('crossover', this.parts.crossover.name, children, options.populationSize - options.survivorCount);
    const next = [...kept, ...children];
    for (let i = options.eliteCount; i < next.length; i++) next[i] = this.parts.mutation.mutate(next[i], options.mutationRate, ctx);
    this.checkOutput('mutation', this.parts.mutation.name, next, options.populationSize);
    return next;
  }

  private checkOutput(kind: string, name: string, genomes: readonly (Genome | undefined)[], count: number): void {
    if (!Array.isArray(genomes) || genomes.length !== count) {
      throw new GaError(`${kind} strategy ${JSON.stringify(name)} returned ${Array.isArray(genomes) ? genomes.length : describe(genomes)} genomes; expected ${count}`);
    }
    for (let i = 0; i < genomes.length; i++) {
      const g = genomes[i];
      if (!(g instanceof Genome) || g.length !== this.parts.options.genomeLength) {
        throw new GaError(`${kind} strategy ${JSON.stringify(name)} returned a bad genome at position ${i}: expected a Genome of ${this.parts.options.genomeLength} genes, got ${describe(g instanceof Genome ? g.key : g)}`);
      }
      const bad = lockViolation(g, this.parts.locks);
      if (bad >= 0) throw new GaError(`${kind} strategy ${JSON.stringify(name)} changed locked gene ${bad} of the genome at position ${i}`);
    }
  }

  /** Emits queued events after the state is consistent; a throwing listener does not stop the others. */
  private flush(result?: unknown): void {
    const queue = this.queue;
    this.queue = [];
    let failure: GaListenerError | undefined;
    for (const [event, payload] of queue) {
      for (const listener of this.emitter.events[event] ?? []) {
        try {
          (listener as (p: unknown) => void)(payload);
        } catch (e) {
          failure ??= new GaListenerError(event, e, result);
        }
      }
    }
    if (failure) throw failure;
  }
}

function spec(s: { name: string; params?: Record<string, unknown> }): StrategySpec {
  return s.params === undefined ? { name: s.name } : { name: s.name, params: { ...s.params } };
}

/** @internal */
export function freezeFitness(f: Fitness): Fitness {
  const out: { value: number; objectives?: Readonly<Record<string, number>>; cost?: number; metadata?: unknown } = { value: f.value };
  if (f.cost !== undefined) out.cost = f.cost;
  if (f.objectives !== undefined) out.objectives = Object.freeze({ ...f.objectives });
  if (f.metadata !== undefined) out.metadata = f.metadata;
  return Object.freeze(out);
}
