/**
 * Provenance and the best model kept, on a class-folder image set written here from the shared
 * Fashion-MNIST subset: a finished search saves its best genome's model; `slt predict` on the
 * test split's files reproduces the recorded test accuracy; a killed search refuses to resume on
 * a changed data folder, naming both fingerprints.
 */
import { mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictionLines, readRecords, sharedData, slt, tempDir, waitFor, type Rec, recordOf } from './helpers.js';

const CLASSES = ['tshirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'boot'];

/** Writes `perClass` 28x28 grey PNGs per class from the IDX files into `<dir>/<class>/`. */
async function writeFolders(dir: string, perClass: number): Promise<void> {
  const { PNG } = await import('pngjs');
  const img = await readFile(path.join(sharedData, 'fashion-mnist-900/images-idx3-ubyte'));
  const lab = await readFile(path.join(sharedData, 'fashion-mnist-900/labels-idx1-ubyte'));
  const count = new Map<number, number>();
  for (let i = 0; i < 900; i++) {
    const y = lab[8 + i]!;
    const k = count.get(y) ?? 0;
    if (k >= perClass) continue;
    count.set(y, k + 1);
    const png = new PNG({ width: 28, height: 28 });
    for (let p = 0; p < 784; p++) {
      const v = img[16 + i * 784 + p]!;
      png.data.set([v, v, v, 255], 4 * p);
    }
    await mkdir(path.join(dir, CLASSES[y]!), { recursive: true });
    await writeFile(path.join(dir, CLASSES[y]!, `${i}.png`), PNG.sync.write(png));
  }
}

const flags = (data: string, out: string, extra: string[] = []) => [
  'search', '--model', 'mobilenet_v1_0.25', '--weights', path.join(sharedData, 'models/mobilenet_v1_0.25_224'), '--data', data, '--data-kind', 'folders',
  '--input', '32x32', '--population', '4', '--generations', '1', '--epochs', '1', '--seed', '11', '--workers', '1', '--out', out, '--json', ...extra,
];

describe('provenance and the best model', () => {
  let cwd: string;
  let data: string;
  let records: Rec[];
  let out: { exitCode?: number; all?: string; stdout: string };

  beforeAll(async () => {
    cwd = await tempDir('model');
    data = path.join(cwd, 'images');
    await writeFolders(data, 12);
    out = await slt(flags(data, 'done'), cwd);
    records = readRecords(path.join(cwd, 'done/journal.jsonl'));
  }, 900_000);
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('records what ran: versions, backend, GA options, weights sha256 and the data fingerprint', () => {
    expect(out.exitCode, out.all?.slice(-3000)).toBe(0);
    const p = recordOf(records, 'search.provenance');
    expect(p.slt.commit).toMatch(/^[0-9a-f]{40}|unknown/);
    expect(p.backend).toMatch(/^(wasm|cpu|tensorflow)$/);
    expect(p.ga).toMatchObject({ populationSize: 4, mutationRate: expect.any(Number), eliteCount: expect.any(Number) });
    expect(p.weights.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(p.data.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('saves the best genome\'s model; slt predict on the test split\'s files reproduces its test accuracy', async () => {
    const saved = recordOf(records, 'search.model');
    const fin = recordOf(records, 'search.finished');
    expect(saved.key).toBe(fin.best?.key);
    expect(saved.testAccuracy).toBe(fin.best?.testAccuracy);
    const { loadDataset } = await import('@slt/datasets');
    const ds = await loadDataset({ path: data, kind: 'folders', seed: 11 });
    const files = ds.split.items.test.map((f: string) => path.join(data, f));
    const pred = await slt(['predict', path.join(cwd, 'done'), ...files, '--json'], cwd);
    expect(pred.exitCode, pred.all?.slice(-2000)).toBe(0);
    const lines = predictionLines(pred.stdout);
    expect(lines).toHaveLength(files.length);
    const right = lines.filter((l, i) => l.class === ds.classNames[ds.test.labels[i]!]).length;
    expect(right / files.length).toBe(saved.testAccuracy);
    const text = await slt(['predict', path.join(cwd, 'done/model'), files[0]!], cwd);
    expect(text.stdout).toMatch(/\.png\t\w+\t[01]\.\d{4}$/);
    const bad = await slt(['predict', cwd, files[0]!], cwd);
    expect(bad.exitCode).toBe(2);
    expect(bad.all).toMatch(/not a saved model/);
  });

  it('refuses to resume a killed search on a changed data folder, naming both fingerprints', async () => {
    const child = slt(flags(data, 'killed', ['--generations', '3']), cwd);
    const journal = path.join(cwd, 'killed/journal.jsonl');
    await waitFor(() => readRecords(journal).some((r) => r.type === 'eval.finished') || child.exitCode !== null, 600_000);
    child.kill('SIGKILL');
    await child;
    await unlink(path.join(data, CLASSES[0]!, (await import('node:fs')).readdirSync(path.join(data, CLASSES[0]!))[0]!));
    const res = await slt(['resume', path.join(cwd, 'killed')], cwd);
    expect(res.exitCode).toBe(2);
    expect(res.all).toMatch(/the data set differs from the one the search started with: .*images now has fingerprint [0-9a-f]{16}, the journal records [0-9a-f]{16}/);
  }, 900_000);
});
