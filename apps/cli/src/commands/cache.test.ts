import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx } from '@slt/datasets';
import { loadWeights } from '@slt/models';
import { CacheError, addToCache, ensureDemoAssets, listCache } from './cache.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const SHARED = path.resolve(REPO, '../shared/data');
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'slt-cache-test-'));
const noFetch = (() => Promise.reject(new Error('network used'))) as unknown as typeof fetch;

describe('slt cache add / ls', () => {
  test('fills the cache from ../shared/data where libs/models finds the weights offline', async () => {
    const root = tmp();
    const added = addToCache(path.relative(process.cwd(), SHARED), root);
    expect(added.map((e) => `${e.kind}:${e.name}`).sort()).toEqual(['data:fashion-mnist-900', 'model:mobilenet_v1_0.25']);
    expect(listCache(root).map((e) => e.name)).toEqual(['mobilenet_v1_0.25', 'fashion-mnist-900']);
    const model = listCache(root).find((e) => e.kind === 'model')!;
    expect(model.files).toBe(56); // model.json + 55 shards
    const w = await loadWeights('mobilenet_v1_0.25', { cacheDir: path.join(root, 'models'), fetch: noFetch });
    expect(w.layers.get('conv1')?.[0].shape).toEqual([3, 3, 3, 8]);
    // Adding again replaces the copy (no half-written temp folder left).
    addToCache(SHARED, root);
    expect(listCache(root)).toHaveLength(2);
  });

  test('names the folder when it is missing or holds nothing known', () => {
    expect(() => addToCache('/nonexistent/slt-assets', tmp())).toThrow(/cache add \/nonexistent\/slt-assets: no such folder/);
    const empty = tmp();
    mkdirSync(path.join(empty, 'sub'));
    writeFileSync(path.join(empty, 'sub', 'notes.txt'), 'x');
    expect(() => addToCache(empty, tmp())).toThrow(CacheError);
    expect(() => addToCache(empty, tmp())).toThrow(/found no weights folder .* and no IDX data set folder/);
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
    addToCache(path.join(SHARED, 'models'), root);
    const dataErr = await withEnv({ SLT_DEMO_DATA_URL: `${base}/missing/` }, () => ensureDemoAssets(root).catch((e: Error) => e));
    expect((dataErr as Error).message).toMatch(/data set .*HTTP 404.*slt cache add DIR/);
  });
});
