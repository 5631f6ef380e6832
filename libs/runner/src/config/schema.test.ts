import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { defaultWorkers, loadSearchConfig, parseSearchConfig } from './schema.js';

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
    expect(parseSearchConfig({ data: 'd' }).workers).toBe(defaultWorkers());
    expect(parseSearchConfig({ data: 'd', workers: 0 }).workers).toBe(0);
  });

  it('accepts kebab-case keys as camelCase', () => {
    const c = parseSearchConfig({ data: 'd', 'data-kind': 'folders', 'tracking-uri': 'http://127.0.0.1:5000' });
    expect(c.dataKind).toBe('folders');
    expect(c.trackingUri).toBe('http://127.0.0.1:5000');
  });

  it('rejects unknown keys, naming them and the valid keys', () => {
    const issues = issuesOf(() => parseSearchConfig({ data: 'd', populaton: 8 }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^populaton: unknown key \(valid keys: .*population/);
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
