import { describe, expect, it } from 'vitest';
import { GaListenerError, GaStateError, TournamentSelection, createGa, restoreGa, type GaOptions, type GaState, type GenomeRequest } from './index.js';
import { drive, hashFitness } from './test-support.js';

const SEEDS = [1, 2, 3, 17, 99, 4242, 65535, 4294967295];

function roundTrip(state: GaState): GaState {
  return JSON.parse(JSON.stringify(state)) as GaState;
}

describe('determinism', () => {
  it('the same seed gives the same genomes bit for bit; another seed gives others', () => {
    for (const seed of SEEDS) {
      const opts: GaOptions = { genomeLength: 64, populationSize: 16, generations: 10, seed };
      const a = drive(createGa(opts), (g) => hashFitness(g)).map((r) => `${r.id}=${r.genome.key}`);
      const b = drive(createGa(opts), (g) => hashFitness(g)).map((r) => `${r.id}=${r.genome.key}`);
      expect(b).toEqual(a);
      const c = drive(createGa({ ...opts, seed: (seed ^ 1) >>> 0 }), (g) => hashFitness(g)).map((r) => `${r.id}=${r.genome.key}`);
      expect(c).not.toEqual(a);
    }
  });

  it('serialise/restore in the middle of a generation (some asked, not told) continues exactly', () => {
    for (const seed of SEEDS) {
      for (const preset of ['paper', 'elitist'] as const) {
        const opts: GaOptions = { genomeLength: 50, populationSize: 12, generations: 9, seed, preset, lockedGenes: [2, 5] };
        const fit = (g: import('./index.js').Genome) => hashFitness(g, seed);
        const whole = createGa(opts);
        const wholeAsked = drive(whole, fit, { parallel: 4, shuffleSeed: seed });

        const told: string[] = [];
        const first = createGa(opts);
        first.on('genome:told', (r) => told.push(`${r.id}=${r.genome.key}`));
        drive(first, fit, { parallel: 4, shuffleSeed: seed, maxTells: 5 + (seed % 40) });
        first.ask(); // make sure at least one genome is asked and not told
        const outstanding = first.population().filter((m) => m.status === 'asked');
        expect(outstanding.length).toBeGreaterThan(0);
        const restored = restoreGa(roundTrip(first.toJSON()));
        const reasked: GenomeRequest[] = [];
        restored.on('genome:asked', (r) => reasked.push(r));
        restored.on('genome:told', (r) => told.push(`${r.id}=${r.genome.key}`));
        drive(restored, fit, { parallel: 3, shuffleSeed: seed + 1 });
        // the asked-but-not-told genomes are asked again after restore
        for (const m of outstanding) expect(reasked.some((r) => r.id === `${first.generation}:${m.index}`)).toBe(true);
        expect(JSON.stringify(restored.toJSON())).toBe(JSON.stringify(whole.toJSON()));
        expect(told.sort()).toEqual(wholeAsked.map((r) => `${r.id}=${r.genome.key}`).sort());
      }
    }
  });

  it('restores at a generation boundary and after done', () => {
    const opts: GaOptions = { genomeLength: 30, populationSize: 8, generations: 4, seed: 8 };
    const whole = createGa(opts);
    drive(whole, (g) => hashFitness(g));
    const ga = createGa(opts);
    drive(ga, (g) => hashFitness(g), { maxTells: 8 });
    expect(ga.generation).toBe(1);
    const restored = restoreGa(roundTrip(ga.toJSON()));
    drive(restored, (g) => hashFitness(g));
    expect(restored.toJSON()).toEqual(whole.toJSON());
    const again = restoreGa(roundTrip(whole.toJSON()));
    expect(again.done).toBe(true);
    expect(again.ask()).toBeNull();
    expect(again.best()?.genome.key).toBe(whole.best()?.genome.key);
    expect(again.history).toEqual(whole.history);
  });

  it('keeps built-in strategy params and needs custom strategies passed back by name', () => {
    const opts: GaOptions = { genomeLength: 20, populationSize: 8, generations: 3, seed: 4, selection: new TournamentSelection({ size: 3 }) };
    const ga = createGa(opts);
    drive(ga, (g) => hashFitness(g), { maxTells: 3 });
    const state = roundTrip(ga.toJSON());
    expect(state.options.selection).toEqual({ name: 'tournament', params: { size: 3 } });
    const whole = createGa(opts);
    drive(whole, (g) => hashFitness(g));
    const restored = restoreGa(state);
    drive(restored, (g) => hashFitness(g));
    expect(restored.toJSON()).toEqual(whole.toJSON());

    const custom = { name: 'mine', select: new TournamentSelection().select };
    const c = createGa({ ...opts, selection: custom });
    expect(() => restoreGa(roundTrip(c.toJSON()))).toThrow(/options.selection.name: "mine" is not built in/);
    expect(restoreGa(roundTrip(c.toJSON()), { selection: custom }).generation).toBe(0);
    expect(() => restoreGa(roundTrip(c.toJSON()), { selection: new TournamentSelection() })).toThrow(/a strategy named "mine"/);
  });

  it('rejects a malformed state naming the field', () => {
    const state = roundTrip(createGa({ genomeLength: 10, populationSize: 4, seed: 1 }).toJSON());
    expect(() => restoreGa({ ...state, format: 'x' } as never)).toThrow(GaStateError);
    expect(() => restoreGa({ ...state, rng: [1, 2] })).toThrow(/at rng: expected four 32-bit integers/);
    expect(() => restoreGa({ ...state, members: state.members.slice(1) })).toThrow(/at members: expected an array of populationSize \(4\)/);
    expect(() => restoreGa({ ...state, members: [{ key: '01' }, ...state.members.slice(1)] })).toThrow(/members\[0\].key.*2 genes; expected genomeLength 10/);
    expect(() => restoreGa({ ...state, options: { ...state.options, populationSize: 6 } })).toThrow(/options.populationSize/);
  });
});

describe('events', () => {
  it('emits typed events in order, supports unsubscribe, and reports improvements of the best', () => {
    const ga = createGa({ genomeLength: 12, populationSize: 4, generations: 3, seed: 21 });
    const log: string[] = [];
    ga.on('generation:started', (e) => log.push(`started ${e.generation} ${e.genomes.length}`));
    ga.on('generation:finished', (e) => log.push(`finished ${e.generation}`));
    ga.on('search:finished', (e) => log.push(`done ${e.generations}`));
    const improved: number[] = [];
    ga.on('best:improved', (e) => improved.push(e.fitness.value));
    let asked = 0;
    const off = ga.on('genome:asked', () => asked++);
    let told = 0;
    ga.on('genome:told', () => told++);
    drive(ga, (g) => hashFitness(g), { maxTells: 2 });
    off();
    drive(ga, (g) => hashFitness(g));
    expect(asked).toBe(2);
    expect(told).toBe(ga.evaluations);
    expect(log).toEqual(['started 0 4', 'finished 0', 'started 1 4', 'finished 1', 'started 2 4', 'finished 2', 'done 3']);
    expect(improved.length).toBeGreaterThan(0);
    for (let i = 1; i < improved.length; i++) expect(improved[i]).toBeGreaterThan(improved[i - 1]);
    expect(improved.at(-1)).toBe(ga.best()!.fitness.value);
    expect(ga.best()!.fitness.value).toBe(Math.max(...ga.history.map((h) => h.best)));
  });

  it('a throwing listener surfaces as GaListenerError after the state is complete', () => {
    const ga = createGa({ genomeLength: 12, populationSize: 4, generations: 2, seed: 2 });
    ga.on('genome:told', () => {
      throw new Error('boom');
    });
    const r = ga.ask()!;
    expect(() => ga.tell(r.id, { value: 1 })).toThrow(GaListenerError);
    expect(ga.population()[r.index].status).toBe('evaluated');
    expect(ga.evaluations).toBe(1);
    const other = createGa({ genomeLength: 12, populationSize: 4, generations: 2, seed: 2 });
    other.on('genome:asked', () => {
      throw new Error('bang');
    });
    try {
      other.ask();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GaListenerError);
      expect((e as GaListenerError).event).toBe('genome:asked');
      const req = (e as GaListenerError).result as { id: string };
      expect(req.id).toBe('0:0');
      other.tell(req.id, { value: 1 }); // the request survived the listener error
      expect(other.evaluations).toBe(1);
    }
  });
});
