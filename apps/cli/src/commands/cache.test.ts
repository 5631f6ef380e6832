import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx } from '@slt/datasets';
import { loadWeights } from '@slt/models';
import { runCommand } from '../testing/run-command.js';
import { CacheError, addToCache, ensureDemoAssets, listCache, progressBar, registerCache } from './cache.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const SHARED = path.resolve(REPO, '../shared/data');
const H5 = path.join(SHARED, 'models/keras-h5/mobilenet_2_5_224_tf_no_top.h5');
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'slt-cache-test-'));
const noFetch = (() => Promise.reject(new Error('network used'))) as unknown as typeof fetch;

describe('slt cache add / ls', () => {
  test('fills the cache from ../shared/data (the keras .h5, the tfjs folder, the IDX set) where libs/models finds the weights offline', async () => {
    const root = tmp();
    const added = await addToCache(path.relative(process.cwd(), SHARED), root);
    expect(added.map((e) => `${e.kind}:${e.name}:${e.format ?? ''}`).sort()).toEqual(['data:fashion-mnist-900:', 'model:mobilenet_v1_0.25:keras-h5', 'model:mobilenet_v1_0.25:tfjs']);
    expect(listCache(root).map((e) => `${e.name}:${e.format ?? ''}`)).toEqual(['mobilenet_v1_0.25:keras-h5', 'mobilenet_v1_0.25:tfjs', 'fashion-mnist-900:']);
    const tfjs = listCache(root).find((e) => e.format === 'tfjs')!;
    expect(tfjs.files).toBe(56); // model.json + 55 shards (the .h5 beside them not counted)
    // The cache first, the .h5 before the tfjs folder.
    const w = await loadWeights('mobilenet_v1_0.25', { cacheDir: path.join(root, 'models'), fetch: noFetch });
    expect(w.format).toBe('keras-h5');
    expect(w.layers.get('conv1')?.[0].shape).toEqual([3, 3, 3, 8]);
    // Adding again replaces the copies (no half-written temp folder left).
    await addToCache(SHARED, root);
    expect(listCache(root)).toHaveLength(3);
    expect(readdirSync(path.join(root, 'models')).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  test('slt cache add FILE.h5 checks the file; a damaged one is refused, naming it', async () => {
    const root = tmp();
    const saved = process.env.SLT_CACHE_DIR;
    process.env.SLT_CACHE_DIR = root;
    try {
      const ok = await runCommand(registerCache, ['cache', 'add', H5, '--json']);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.out)).toMatchObject([{ kind: 'model', name: 'mobilenet_v1_0.25', format: 'keras-h5' }]);
      const cut = path.join(tmp(), 'mobilenet_2_5_224_tf_no_top.h5');
      writeFileSync(cut, readFileSync(H5).subarray(0, 300_000));
      const bad = await runCommand(registerCache, ['cache', 'add', cut]);
      expect(bad.code).toBe(1);
      expect(bad.error).toContain(`bad weights file ${cut}: truncated: 300000 bytes on disk`);
      const wrong = await runCommand(registerCache, ['cache', 'add', H5, '--model', 'mobilenet_v1_0.5']);
      expect(wrong.error).toMatch(/weight conv1\/kernel: the model has shape \[3, 3, 3, 16\] but .* has \[3, 3, 3, 8\]/);
      const ls = await runCommand(registerCache, ['cache', 'ls']);
      expect(ls.out).toMatch(/model +mobilenet_v1_0\.25 +keras-h5 +1\.1 MB/);
    } finally {
      if (saved === undefined) delete process.env.SLT_CACHE_DIR;
      else process.env.SLT_CACHE_DIR = saved;
    }
  });

  test('names the folder when it is missing or holds nothing known', async () => {
    await expect(addToCache('/nonexistent/slt-assets', tmp())).rejects.toThrow(/cache add \/nonexistent\/slt-assets: no such file or folder/);
    const empty = tmp();
    mkdirSync(path.join(empty, 'sub'));
    writeFileSync(path.join(empty, 'sub', 'notes.txt'), 'x');
    await expect(addToCache(empty, tmp())).rejects.toThrow(CacheError);
    await expect(addToCache(empty, tmp())).rejects.toThrow(/found no keras\.applications \.h5 file .* no weights folder .* and no IDX data set folder/);
  });
});

describe('slt cache fetch', () => {
  test('downloads a .h5 URL over loopback into the cache with a progress bar on a TTY, then finds it cached', async () => {
    const body = readFileSync(H5);
    const server = createServer((req, res) => res.writeHead(200, { 'Content-Length': body.length }).end(body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/w/mobilenet_2_5_224_tf_no_top.h5`;
    const root = tmp();
    const saved = process.env.SLT_CACHE_DIR;
    process.env.SLT_CACHE_DIR = root;
    try {
      const first = await runCommand(registerCache, ['cache', 'fetch', 'mobilenet_v1_0.25', '--weights', url, '--json']);
      expect(first.code).toBe(0);
      expect(JSON.parse(first.out)).toMatchObject({ model: 'mobilenet_v1_0.25', format: 'keras-h5', fromCache: false, layers: 54 });
      const again = await runCommand(registerCache, ['cache', 'fetch', 'mobilenet_v1_0.25', '--weights', url]);
      expect(again.out).toMatch(/mobilenet_v1_0\.25 +keras-h5 +cached +54 layers/);
      const bad = await runCommand(registerCache, ['cache', 'fetch', 'vgg16', '--retries', 'x']);
      expect(bad.error).toMatch(/--retries 'x': expected an integer >= 0/);
    } finally {
      if (saved === undefined) delete process.env.SLT_CACHE_DIR;
      else process.env.SLT_CACHE_DIR = saved;
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test('the progress bar draws on a TTY only, and ends at 100%', () => {
    let text = '';
    const tty = { isTTY: true, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
    const bar = progressBar(tty, 10)!;
    bar({ url: 'http://x/f.h5', received: 0, total: 2_000_000 });
    bar({ url: 'http://x/f.h5', received: 2_000_000, total: 2_000_000 });
    expect(text).toContain('f.h5  [..........]   0%  0.0 kB / 2.0 MB');
    expect(text.endsWith(`f.h5  [${'#'.repeat(10)}] 100%  2.0 MB / 2.0 MB\u001b[K\n`)).toBe(true);
    expect(progressBar({ isTTY: false } as NodeJS.WriteStream)).toBeUndefined();
  });
});

describe('slt cache demo', () => {
  let server: Server;
  let base: string;
  const files = new Map<string, Uint8Array>();
  beforeAll(async () => {
    const modelDir = path.join(SHARED, 'models/mobilenet_v1_0.25_224');
    for (const f of ['model.json', ...JSON.parse(readFileSync(path.join(modelDir, 'model.json'), 'utf8')).weightsManifest.flatMap((g: { paths: string[] }) => g.paths)]) {
      files.set(`/tfjs/mobilenet_v1_0.25_224/${f}`, readFileSync(path.join(modelDir, f)));
    }
    files.set('/fmnist/t10k-images-idx3-ubyte.gz', gzipSync(readFileSync(path.join(SHARED, 'fashion-mnist-900/images-idx3-ubyte'))));
    files.set('/fmnist/t10k-labels-idx1-ubyte.gz', gzipSync(readFileSync(path.join(SHARED, 'fashion-mnist-900/labels-idx1-ubyte'))));
    server = createServer((req, res) => {
      const body = files.get(req.url ?? '');
      res.writeHead(body ? 200 : 404).end(body ?? 'not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const withEnv = async <T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> => {
    const saved = { ...process.env };
    Object.assign(process.env, vars);
    try {
      return await fn();
    } finally {
      process.env = saved;
    }
  };

  test('fetches the weights and a 90-per-class Fashion-MNIST subset over HTTP on first use', async () => {
    const root = tmp();
    const logs: string[] = [];
    const assets = await withEnv({ SLT_DEMO_WEIGHTS_URL: `${base}/tfjs/mobilenet_v1_0.25_224/model.json`, SLT_DEMO_DATA_URL: `${base}/fmnist/` }, () => ensureDemoAssets(root, (l) => logs.push(l)));
    expect(logs).toHaveLength(2);
    expect(assets.weights).toBe(path.join(root, 'models', 'mobilenet_v1_0.25'));
    const images = parseIdx(readFileSync(path.join(assets.data, 'images-idx3-ubyte')), 'images', IDX_IMAGES_MAGIC);
    const labels = parseIdx(readFileSync(path.join(assets.data, 'labels-idx1-ubyte')), 'labels', IDX_LABELS_MAGIC);
    expect(images.dims).toEqual([900, 28, 28]);
    const perClass = new Map<number, number>();
    for (const l of labels.data) perClass.set(l, (perClass.get(l) ?? 0) + 1);
    expect([...perClass.values()]).toEqual(Array(10).fill(90));
    // Cached now: a second call fetches nothing even with the server unreachable.
    const again = await withEnv({ SLT_DEMO_WEIGHTS_URL: 'http://127.0.0.1:9/x/model.json', SLT_DEMO_DATA_URL: 'http://127.0.0.1:9/' }, () => ensureDemoAssets(root, (l) => logs.push(l)));
    expect(again).toEqual(assets);
    expect(logs).toHaveLength(2);
  });

  test('offline with an empty cache, the error says to use slt cache add', async () => {
    const err = await withEnv({ SLT_DEMO_WEIGHTS_URL: 'http://127.0.0.1:9/x/model.json' }, () => ensureDemoAssets(tmp()).catch((e: Error) => e));
    expect(err).toBeInstanceOf(CacheError);
    expect((err as Error).message).toMatch(/cannot fetch the quick demo's weights http:\/\/127\.0\.0\.1:9\/x\/model\.json .*slt cache add DIR/);
    const root = tmp();
    await addToCache(path.join(SHARED, 'models'), root);
    const dataErr = await withEnv({ SLT_DEMO_DATA_URL: `${base}/missing/` }, () => ensureDemoAssets(root).catch((e: Error) => e));
    expect((dataErr as Error).message).toMatch(/data set .*HTTP 404.*slt cache add DIR/);
  });
});
