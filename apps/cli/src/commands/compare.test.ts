/**
 * `slt compare` with several models (a study) through the CLI commands: the table on stdout in
 * CSV, `slt ls` listing the study, `slt attach` printing its table, `slt resume` of a finished
 * study; and the study's bad input: a model without weights (nothing written) and `--format csv`
 * for one model. One model's table says which differences are within the seeds' noise.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { readSearchState } from '@slt/runner';
import { writeFinishedCompare } from '@slt/runner/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCommand, type CommandRun } from '../testing/run-command.js';
import { registerAttach } from './attach.js';
import { printComparison, registerCompare } from './compare.js';
import { registerLs } from './ls.js';
import { registerResume } from './resume.js';

const shared = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/data');
const weights = path.join(shared, 'models/mobilenet_v1_0.25_224');
const data = path.join(shared, 'fashion-mnist-900');
const all = (p: Command) => [registerCompare, registerLs, registerAttach, registerResume].forEach((r) => r(p));

describe('slt compare: a study of two models', () => {
  let tmp: string;
  let run: CommandRun;
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'slt-cli-study-'));
    const file = path.join(tmp, 'study.yaml');
    writeFileSync(file, [
      `data: ${data}`, 'population: 4', 'generations: 1', 'epochs: 1', 'seed: 3', 'workers: 0', `tracking-uri: ${path.join(tmp, 'mlruns')}`,
      'models:', `  - { model: mobilenet_v1_0.25, weights: ${weights}, label: a }`, `  - { model: mobilenet_v1_0.25, weights: ${weights}, input: 36x36, label: b }`, '',
    ].join('\n'));
    run = await runCommand(all, ['compare', '--config', file, '--out', path.join(tmp, 'st'), '--format', 'csv']);
  }, 1_800_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('prints the table as CSV, the same as the study folder holds', () => {
    expect(run.code, run.error).toBe(0);
    expect(run.out).toBe(readFileSync(path.join(tmp, 'st/study.csv'), 'utf8'));
    const lines = run.out.trim().split('\r\n');
    expect(lines.map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      'model,input,row',
      ...['a,32x32', 'b,36x36'].flatMap((m) => ['number of trainable layers', 'layers with weights', 'test accuracy', 'number of parameters', 'macro precision', 'macro recall'].map((r) => `${m},${r}`)),
    ]);
  });

  it('is listed by slt ls, followed by slt attach, and a resume of it runs nothing', async () => {
    const ls = await runCommand(all, ['ls', '--root', tmp]);
    expect(ls.out).toMatch(/\n\d{8}-\d{6}-[0-9a-f]{4}\s+finished\s+study\s+a,b\s+fashion-mnist-900\s+2\/2 models/);
    const attach = await runCommand(all, ['attach', path.join(tmp, 'st')]);
    expect(attach.code, attach.error).toBe(0);
    expect(attach.out).toContain(readFileSync(path.join(tmp, 'st/study.txt'), 'utf8'));
    const resume = await runCommand(all, ['resume', path.join(tmp, 'st'), '--format', 'markdown']);
    expect(resume.code, resume.error).toBe(0);
    expect(resume.out).toBe(readFileSync(path.join(tmp, 'st/study.md'), 'utf8'));
  });
});

describe('slt compare: bad input of a study', () => {
  it('fails with exit 2 before writing anything when a model has no weights', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'slt-cli-study-bad-'));
    const cache = process.env.SLT_CACHE_DIR;
    process.env.SLT_CACHE_DIR = path.join(tmp, 'cache');
    try {
      const r = await runCommand(all, ['compare', '--model', 'mobilenet_v1_0.25,mobilenet_v1_0.5', '--weights', `${weights},`, '--data', data, '--out', path.join(tmp, 'st'), '--tracking-uri', path.join(tmp, 'mlruns')]);
      expect(r.code).toBe(2);
      expect(r.error).toMatch(/model mobilenet_v1_0\.5: [^]*slt cache add/);
      expect(r.error).not.toMatch(/model mobilenet_v1_0\.25:/);
      expect(existsSync(path.join(tmp, 'st'))).toBe(false);
      expect(existsSync(path.join(tmp, 'mlruns'))).toBe(false);
      const detached = await runCommand(all, ['compare', '--model', 'mobilenet_v1_0.25,mobilenet_v1_0.5', '--data', data, '--out', path.join(tmp, 'st'), '--detach']);
      expect(detached.code).toBe(2);
      expect(existsSync(path.join(tmp, 'st'))).toBe(false);
      const csv = await runCommand(all, ['compare', '--model', 'mobilenet_v1_0.25', '--data', data, '--format', 'csv']);
      expect(csv.code).toBe(2);
      expect(csv.error).toMatch(/csv is the format of a study table/);
      const lists = await runCommand(all, ['compare', '--model', 'mobilenet_v1_0.25,vgg16', '--weights', 'a,b,c', '--data', data]);
      expect(lists.code).toBe(2);
      expect(lists.error).toMatch(/weights: 3 entries for 2 models/);
    } finally {
      if (cache === undefined) delete process.env.SLT_CACHE_DIR;
      else process.env.SLT_CACHE_DIR = cache;
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});

// A finished compare search's journal under `root` (validation accuracies of the GA's best, heuristic, freeze-all).
const writeCompare = (root: string, id: string, seed: number, [ga, heuristic, freeze]: number[]): string =>
  writeFinishedCompare(root, id, seed, { ga: ga!, heuristic: heuristic!, freeze: freeze! });

describe("slt compare: the seeds' noise under the table", () => {
  it('says which differences are within the seeds\' noise of the searches beside it that differ only in their seed (text, Markdown, JSON)', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'slt-cli-seeds-'));
    try {
      const dir = writeCompare(root, '20260101-000000-aaaa', 1, [0.5, 0.49, 0.4]);
      writeCompare(root, '20260101-000001-bbbb', 2, [0.52, 0.53, 0.4]);
      writeCompare(root, '20260101-000002-cccc', 3, [0.54, 0.51, 0.43]);
      const state = await readSearchState(dir);
      const outcome = { searchId: 'aaaa', dir, journalPath: state.journalPath, status: 'finished' as const, state, pendingRuns: 0 };
      const print = async (format: string) => {
        let out = '';
        const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
          out += String(chunk);
          return true;
        });
        try {
          await printComparison(outcome, format);
        } finally {
          spy.mockRestore();
        }
        return out;
      };
      const note = "GA (best) and heuristic: val accuracy 0.0100 apart, within the seeds' noise (pooled sd 0.0191 over 3 seeds): no real difference";
      expect((await print('text')).split('\n')).toContain(`note: ${note}`);
      expect(await print('markdown')).toContain(`\n- note: ${note}\n`);
      const json = JSON.parse(await print('json'));
      expect(json.notes).toEqual([note]);
      expect(json.seedNoise).toMatchObject({ seeds: 3, searches: ['20260101-000000-aaaa', expect.any(String), expect.any(String)] });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
