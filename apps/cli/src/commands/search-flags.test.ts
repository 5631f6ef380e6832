import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../testing/run-command.js';
import { registerBaselines } from './baselines.js';
import { registerCompare } from './compare.js';
import { registerSearch } from './search.js';

const helpOf = async (register: typeof registerSearch, name: string) => (await runCommand(register, [name, '--help'])).out;

describe('each search command shows its own flags', () => {
  it('search --help: GA flags, no baseline flags; baselines --help: no GA flags; compare: both', async () => {
    const search = await helpOf(registerSearch, 'search');
    const baselines = await helpOf(registerBaselines, 'baselines');
    const compare = await helpOf(registerCompare, 'compare');
    for (const ga of ['--population', '--generations', '--preset', '--prune ', '--prune-startup']) {
      expect(search).toContain(ga);
      expect(compare).toContain(ga);
      expect(baselines).not.toContain(ga);
    }
    expect(search).not.toContain('--random-baselines');
    expect(baselines).toContain('--random-baselines');
    expect(baselines).toContain('--trainable-layers');
    expect(compare).toContain('--random-baselines');
    for (const both of ['--data ', '--epochs', '--workers', '--model ']) for (const h of [search, baselines, compare]) expect(h).toContain(both);
  });

  it('says how many workers a search gets and why, and names too many', async () => {
    // An --out under a file stops the command right after the config is read (nothing runs).
    const dir = mkdtempSync(path.join(tmpdir(), 'slt-flags-'));
    writeFileSync(path.join(dir, 'file'), '');
    const data = dir;
    const out = ['--out', path.join(dir, 'file', 'search')];
    const tiny = await runCommand(registerSearch, ['search', '--data', data, '--population', '4', '--generations', '2', '--epochs', '1', ...out]);
    expect(tiny.err).toMatch(/slt search: 0 workers, in this process: a small budget \(8 genome-epochs <= 16\)/);
    const many = await runCommand(registerSearch, ['search', '--data', data, '--population', '4', '--workers', '9', ...out]);
    expect(many.err).toMatch(/warning: --workers 9 is more than the 4 genomes evaluated at once \(population 4\)/);
    // A GA flag given to baselines is named as unused, not silently dropped.
    const unused = await runCommand(registerBaselines, ['baselines', '--data', data, '--population', '4', ...out]);
    expect(unused.err).toContain('slt baselines: ignoring --population (GA flags; slt baselines runs no GA');
  });
});
