/**
 * Test fixture, made once per test run by the real `slt compare` command: a seeded search (GA +
 * baselines) of MobileNetV1-0.25 with the shared ImageNet weights on fashion-mnist-900 at 32 px,
 * small enough for CI. The screens' tests draw its journal.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder of the finished fixture search. */
    searchDir: string;
  }
}

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
/** The shared data folder (`../shared/data` from the repo root). */
export const SHARED_DATA = path.resolve(REPO, '../shared/data');

export default async function setup(project: TestProject): Promise<() => void> {
  // Local iteration: SLT_TUI_FIXTURE names the folder of a fixture search made earlier by the same
  // command (its journal is only read; the tests copy what they change).
  const reuse = process.env.SLT_TUI_FIXTURE;
  if (reuse && existsSync(path.join(reuse, 'journal.jsonl'))) {
    project.provide('searchDir', path.resolve(reuse));
    return () => undefined;
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'slt-tui-test-'));
  const dir = path.join(tmp, 'searches', 'fixture-search');
  await execa(process.execPath, [
    path.join(REPO, 'apps/cli/bin/slt.js'), 'compare', '--data', path.join(SHARED_DATA, 'fashion-mnist-900'),
    '--weights', path.join(SHARED_DATA, 'models/mobilenet_v1_0.25_224'), '--input', '32x32', '--population', '4', '--generations', '2',
    '--epochs', '1', '--batch', '32', '--seed', '7', '--workers', '0', '--random-baselines', '3',
    '--out', dir, '--tracking-uri', path.join(tmp, 'mlruns'), '--search-id', 'fixture-search',
  ], { cwd: tmp, env: { SLT_CACHE_DIR: path.join(tmp, 'cache') } });
  project.provide('searchDir', dir);
  return () => rmSync(tmp, { recursive: true, force: true });
}
