import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/fixtures.js';
import { writeFileAtomic } from './atomic.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('writeFileAtomic (tracking)', () => {
  it('makes the folder, writes whole files, and makes a remembered folder again after it was removed', async () => {
    const dir = join(tmp.dir, 'run', 'tags');
    await writeFileAtomic(join(dir, 'a'), 'one', false);
    await writeFileAtomic(join(dir, 'a'), 'two', false);
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('two');
    rmSync(join(tmp.dir, 'run'), { recursive: true }); // e.g. a run moved to .trash and restored empty
    await writeFileAtomic(join(dir, 'b'), 'three');
    expect(readFileSync(join(dir, 'b'), 'utf8')).toBe('three');
    expect(readdirSync(dir).sort()).toEqual(['b']); // no temp file left behind
  });

  it('rejects, naming the path, when the target cannot be written', async () => {
    const file = join(tmp.dir, 'blocked');
    mkdirSync(join(file, 'x'), { recursive: true }); // a folder where the file should go
    await expect(writeFileAtomic(file, 'data', false)).rejects.toThrow(/blocked/);
    expect(readdirSync(tmp.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
