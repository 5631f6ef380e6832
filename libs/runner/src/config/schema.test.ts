import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { ADAPTERS, BACKENDS, GENE_MODES, PRESETS, PRUNERS, chooseWorkers, defaultWorkers, loadSearchConfig, parseSearchConfig, workersChoiceOf, workersWarnings } from './schema.js';

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('parseSearchConfig', () => {
  it('fills the defaults and parses HxW', () => {
    const c = parseSearchConfig({ data: 'd', input: '64x48' });
    expect(c).toMatchObject({ model: 'mobilenet_v1_0.25', data: 'd', input: [64, 48], population: 8, preset: 'paper', backend: 'auto', lr: 1e-4 });
    expect(c.seed).toBeUndefined();
    expect(parseSearchConfig({ data: 'd', input: 40 }).input).toEqual([40, 40]);
  });

  it('defaults to one worker per GPU listed in CUDA_VISIBLE_DEVICES, else one per core', () => {
    expect(defaultWorkers({ CUDA_VISIBLE_DEVICES: '0,1,3' })).toBe(3);
    expect(defaultWorkers({ CUDA_VISIBLE_DEVICES: '-1' })).toBe(availableParallelism());
    expect(defaultWorkers({})).toBe(availableParallelism());
    expect(parseSearchConfig({ data: 'd', workers: 0 }).workers).toBe(0);
  });

  it('chooses the default worker count from the budget, and says why', () => {
    const cpuOnly = { CUDA_VISIBLE_DEVICES: '' };
    const cores = availableParallelism();
    // A tiny search (4 x 2 x 1 = 8 genome-epochs) runs in the search's own process.
    expect(chooseWorkers({ population: 4, generations: 2, epochs: 1, randomBaselines: 3 }, 'search', cpuOnly)).toMatchObject({ workers: 0, reason: expect.stringMatching(/small budget \(8 genome-epochs/) });
    const tiny = parseSearchConfig({ data: 'd', population: 4, generations: 2, epochs: 1 });
    expect(tiny.workers).toBe(0);
    expect(workersChoiceOf(tiny)?.reason).toMatch(/in this process/);
    // Never more workers than genomes in flight: population 4 on 8 GPUs -> 4.
    expect(chooseWorkers({ population: 4, generations: 10, epochs: 5, randomBaselines: 3 }, 'search', { CUDA_VISIBLE_DEVICES: '0,1,2,3,4,5,6,7' })).toEqual({ workers: 4, reason: 'one per genome in flight (4)' });
    // Baselines: 3 + R of them at once; GPUs: one per GPU.
    expect(chooseWorkers({ population: 40, generations: 10, epochs: 5, randomBaselines: 3 }, 'baselines', { CUDA_VISIBLE_DEVICES: '0,1,2,3,4,5,6,7' }).workers).toBe(6);
    expect(chooseWorkers({ population: 40, generations: 10, epochs: 5, randomBaselines: 3 }, 'compare', { CUDA_VISIBLE_DEVICES: '0,1' })).toEqual({ workers: 2, reason: 'one per GPU (2)' });
    const big = chooseWorkers({ population: 40, generations: 10, epochs: 5, randomBaselines: 3 }, 'search', cpuOnly);
    expect(big.workers).toBe(cores <= 1 ? 0 : Math.min(cores, 40));
    // The config's own workers stays, with no choice recorded; too many are named.
    const given = parseSearchConfig({ data: 'd', population: 4, workers: 64 });
    expect(given.workers).toBe(64);
    expect(workersChoiceOf(given)).toBeUndefined();
    const warnings = workersWarnings(given, 'search', cpuOnly);
    expect(warnings.join('\n')).toMatch(/--workers 64 is more than the 4 genomes evaluated at once \(population 4\): 60 worker/);
    if (cores < 64) expect(warnings[0]).toMatch(new RegExp(`more than the ${cores} cores here`));
    expect(workersWarnings({ ...given, workers: 1 }, 'search', cpuOnly)).toEqual([]);
  });

  it('accepts kebab-case keys as camelCase', () => {
    const c = parseSearchConfig({ data: 'd', 'data-kind': 'folders', 'tracking-uri': 'http://127.0.0.1:5000' });
    expect(c.dataKind).toBe('folders');
    expect(c.trackingUri).toBe('http://127.0.0.1:5000');
  });

  it('rejects unknown keys: "did you mean" for a typo, else the valid keys', () => {
    expect(issuesOf(() => parseSearchConfig({ data: 'd', populaton: 8 }))).toEqual(['populaton: unknown key; did you mean population?']);
    // Written in kebab-case, suggested in kebab-case; case and _ ignored.
    expect(issuesOf(() => parseSearchConfig({ data: 'd', 'tracking-url': 'x', Epoch: 2, random_baseline: 3 }))).toEqual([
      'tracking-url: unknown key; did you mean tracking-uri?', 'Epoch: unknown key; did you mean epochs?', 'random_baseline: unknown key; did you mean randomBaselines?',
    ]);
    const far = issuesOf(() => parseSearchConfig({ data: 'd', colour: 'red' }));
    expect(far).toHaveLength(1);
    expect(far[0]).toMatch(/^colour: unknown key \(valid keys: model, weights, data, .*population/);
  });

  it('says what was expected and what was given in plain words, never zod\'s "Invalid input"', () => {
    const issues = issuesOf(() => parseSearchConfig({ data: 'd', lr: 'abc', population: '8', preset: 'greedy', input: true, model: '', name: 'x'.repeat(251), workers: 1.5 }));
    expect(issues).toEqual([
      'model: must not be empty (got "")',
      'input: expected HxW, e.g. 32x32 (got true)',
      'population: expected an integer in 4..10000 (got the string "8")',
      'lr: expected a number (got the string "abc")',
      'preset: expected one of "paper", "elitist" (got "greedy")',
      'workers: expected an integer in 0..256 (got 1.5)',
      `name: at most 250 characters (got "${'x'.repeat(57)}...")`,
    ]);
    expect(issuesOf(() => parseSearchConfig({ data: 7 }))).toEqual(['data: expected text, the path of the data set (got the number 7)']);
    for (const line of issues) expect(line).not.toMatch(/Invalid input|received|Too (small|big)/);
  });

  it('rejects bad values, naming each key and the valid range', () => {
    const issues = issuesOf(() => parseSearchConfig({ data: 'd', population: 6, epochs: 0, preset: 'greedy', input: '16x16', lr: -1 }));
    const byKey = Object.fromEntries(issues.map((i) => [i.split(':')[0], i]));
    expect(byKey.population).toMatch(/multiple of 4/);
    expect(byKey.epochs).toMatch(/1\.\.1000/);
    expect(byKey.preset).toMatch(/"paper", "elitist"/);
    expect(byKey.input).toMatch(/32 <= H, W/);
    expect(byKey.lr).toMatch(/> 0/);
  });

  it('requires data and rejects a non-object', () => {
    expect(issuesOf(() => parseSearchConfig({}))[0]).toMatch(/^data: required/);
    expect(issuesOf(() => parseSearchConfig([1]))[0]).toMatch(/expected an object/);
  });
});

describe('loadSearchConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'slt-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads YAML, resolves paths against the file, and lets flags override', async () => {
    const file = path.join(dir, 'search.yaml');
    await writeFile(file, 'data: ../fmnist\npopulation: 12\ngenerations: 5\ndata-kind: idx\n');
    const c = await loadSearchConfig({ file, flags: { generations: 2, seed: 7, epochs: undefined } });
    expect(c.data).toBe(path.resolve(dir, '../fmnist'));
    expect(c).toMatchObject({ population: 12, generations: 2, seed: 7, dataKind: 'idx', epochs: 2 });
  });

  it('reads JSON and names the file and key of a bad value', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ data: 'x', workers: -1, colour: 'red' }));
    const err = (await loadSearchConfig({ file }).then(() => undefined, (e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(file);
    expect(err.issues.some((i) => i.startsWith('workers:'))).toBe(true);
    expect(err.issues.some((i) => i.startsWith('colour: unknown key'))).toBe(true);
  });

  it('reports unparsable files and missing files by name', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{"data": ');
    await expect(loadSearchConfig({ file })).rejects.toThrow(/broken\.json[\s\S]*not valid JSON/);
    await expect(loadSearchConfig({ file: path.join(dir, 'none.yaml') })).rejects.toThrow(/none\.yaml[\s\S]*cannot read/);
  });
});

describe('option lists', () => {
  // schema.ts repeats the libs' lists so that a config is checked without loading tfjs; they must stay equal.
  it('equal the lists of @slt/models, @slt/ga and @slt/backend', async () => {
    const { GENE_MODES: MODEL_GENES, ADAPTER_KINDS, MODEL_NAMES } = await import('@slt/models');
    const { PRESETS: GA_PRESETS } = await import('@slt/ga');
    const { BACKEND_PREFERENCES } = await import('@slt/backend');
    expect([...GENE_MODES]).toEqual([...MODEL_GENES]);
    expect([...ADAPTERS]).toEqual([...ADAPTER_KINDS]);
    expect([...PRESETS]).toEqual(Object.keys(GA_PRESETS));
    expect([...BACKENDS]).toEqual([...BACKEND_PREFERENCES]);
    expect(MODEL_NAMES).toContain(parseSearchConfig({ data: 'd' }).model);
    expect([...PRUNERS]).toEqual(['none', 'median']); // the pruning rules of search/genes.ts
  });
});
