import { createHash } from 'node:crypto';
import { appendFile, copyFile, cp, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWeightsFile, cachedWeights, checkWeights } from '../index.js';
import { InvalidModelJsonError, MissingShardError, ShapeMismatchError } from '../errors.js';
import { DownloadError, InvalidWeightsFileError, ModelWeightsUnavailableError, NonFiniteWeightError } from './errors.js';
import { readKerasH5, writeKerasH5 } from './h5.js';
import { MOBILENET_025, SHARED_DATA } from '../training/testing.js';

const H5 = path.join(SHARED_DATA, 'models/keras-h5/mobilenet_2_5_224_tf_no_top.h5');
const noNetwork = (async () => {
  throw new Error('no network in this test');
}) as typeof fetch;
let tmp: string;
let server: Server;
let base: string;
let requests: string[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'slt-check-'));
  requests = [];
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const name = path.basename(req.url ?? '');
    readFile(name.endsWith('.h5') ? path.join(path.dirname(H5), name) : path.join(MOBILENET_025, name))
      .then((body) => res.writeHead(200, { 'Content-Length': body.length }).end(body))
      .catch(() => res.writeHead(404).end('not found'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(tmp, { recursive: true, force: true });
});

/** A copy of the shared tfjs folder to damage. */
async function tfjsCopy(name: string): Promise<string> {
  const dir = path.join(tmp, name);
  await cp(MOBILENET_025, dir, { recursive: true });
  return dir;
}

describe('checkWeights: bad weights are caught before anything trains, naming file, layer and weight', () => {
  it('accepts both shared formats and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    const a = await checkWeights('mobilenet_v1_0.25', H5, { offline: true });
    const b = await checkWeights('mobilenet_v1_0.25', MOBILENET_025, { offline: true });
    expect(a).toMatchObject({ model: 'mobilenet_v1_0.25', format: 'keras-h5', spec: H5, layers: 54, ignoredLayers: [] });
    expect(b).toMatchObject({ format: 'tfjs', spec: path.join(MOBILENET_025, 'model.json'), layers: 54, ignoredLayers: ['conv_preds'] });
    expect(a.values).toBe(b.values);
    expect(a.sha256).toBe(createHash('sha256').update(await readFile(H5)).digest('hex'));
    expect(b.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an invalid model.json, a missing, short or longer shard', async () => {
    const json = await tfjsCopy('badjson');
    await writeFile(path.join(json, 'model.json'), '{ not json');
    await expect(checkWeights('mobilenet_v1_0.25', json)).rejects.toThrow(InvalidModelJsonError);
    await expect(checkWeights('mobilenet_v1_0.25', json)).rejects.toThrow(/badjson: not valid JSON/);

    const missing = await tfjsCopy('missing');
    await rm(path.join(missing, 'group3-shard1of1'));
    await expect(checkWeights('mobilenet_v1_0.25', missing)).rejects.toThrow(/weight shard 'group3-shard1of1' of .*missing is missing/);

    const short = await tfjsCopy('short');
    await truncate(path.join(short, 'group3-shard1of1'), 10);
    const e1 = await checkWeights('mobilenet_v1_0.25', short).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(MissingShardError);
    expect((e1 as Error).message).toMatch(/group3-shard1of1.*10 bytes, the manifest's \d+ weights need \d+ \(short\)/);

    const long = await tfjsCopy('long');
    await appendFile(path.join(long, 'group3-shard1of1'), Buffer.alloc(8));
    const e2 = await checkWeights('mobilenet_v1_0.25', long).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(MissingShardError);
    expect((e2 as Error).message).toMatch(/group3-shard1of1.*longer than its manifest/);
  });

  it('weights of another model: layer and both shapes', async () => {
    const err = await checkWeights('mobilenet_v1_0.5', H5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShapeMismatchError);
    expect((err as Error).message).toBe(`weight conv1/kernel: the model has shape [3, 3, 3, 16] but ${H5} has [3, 3, 3, 8]`);
  });

  it('NaN or Inf in a backbone weight', async () => {
    const ws = await readKerasH5(H5);
    ws.layers.get('conv_pw_7_bn')![1]!.values[5] = Number.NaN;
    ws.layers.get('conv_pw_7_bn')![1]!.values[9] = Number.POSITIVE_INFINITY;
    const file = path.join(tmp, 'nan.h5');
    await writeKerasH5(file, ws.layers, { layerNames: ws.info.layerNames });
    const err = await checkWeights('mobilenet_v1_0.25', file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteWeightError);
    expect((err as Error).message).toBe(`weight conv_pw_7_bn/beta in ${file} has 2 NaN or Inf value(s) (first at flat index 5): the file is corrupt`);
  });

  it('an unreachable URL, and a zoo model neither cached nor downloadable: says how to get the weights', async () => {
    const cacheDir = path.join(tmp, 'cache-empty');
    const dead = await checkWeights('vgg16', 'http://127.0.0.1:9/vgg16_notop.h5', { cacheDir, retries: 0 }).catch((e: unknown) => e);
    expect(dead).toBeInstanceOf(DownloadError);
    expect((dead as Error).message).toMatch(/^download of http:\/\/127\.0\.0\.1:9\/vgg16_notop\.h5 failed: gave up after 1 attempt/);
    const none = await checkWeights('resnet50', undefined, { cacheDir, fetch: noNetwork, retries: 0 }).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(ModelWeightsUnavailableError);
    expect((none as Error).message).toContain(`no weights for model 'resnet50' in the cache ${cacheDir}`);
    expect((none as Error).message).toContain(
      "download https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5 and run 'slt cache add FILE'",
    );
    // Offline, a URL that is not cached is not fetched.
    requests.length = 0;
    const off = await checkWeights('mobilenet_v1_0.25', `${base}/y/mobilenet_2_5_224_tf_no_top.h5`, { cacheDir, offline: true }).catch((e: unknown) => e);
    expect((off as Error).message).toMatch(/^cannot download http:\/\/127\.0\.0\.1:\d+\/y\/mobilenet_2_5_224_tf_no_top\.h5 and no cached copy/);
    const offTfjs = await checkWeights('mobilenet_v1_0.25', `${base}/t/model.json`, { cacheDir, offline: true }).catch((e: unknown) => e);
    expect((offTfjs as Error).message).toMatch(/^cannot download http:\/\/127\.0\.0\.1:\d+\/t\/model\.json and no cached copy/);
    expect(requests).toEqual([]);
    // Nothing but (empty) cache folders was written.
    const written = await readdir(cacheDir, { recursive: true }).catch(() => []);
    expect(written.filter((f) => /\.(h5|json)$/.test(String(f)))).toEqual([]);
  });
});

describe('the cache: the zoo default finds what it holds, downloads land in it, checked', () => {
  it('slt cache add FILE.h5 (by name or by content), then a check without --weights uses it offline', async () => {
    const cacheDir = path.join(tmp, 'cache-add');
    const added = await addWeightsFile(H5, { cacheDir });
    expect(added).toMatchObject({ model: 'mobilenet_v1_0.25', format: 'keras-h5', path: path.join(cacheDir, 'mobilenet_v1_0.25', 'mobilenet_2_5_224_tf_no_top.h5') });
    expect(cachedWeights('mobilenet_v1_0.25', cacheDir).map((c) => c.format)).toEqual(['keras-h5']);
    const c = await checkWeights('mobilenet_v1_0.25', undefined, { cacheDir, fetch: noNetwork });
    expect(c).toMatchObject({ fromCache: true, format: 'keras-h5', spec: added.path });

    // A renamed copy is recognised by its layers and shapes.
    const renamed = path.join(tmp, 'my-weights.h5');
    await copyFile(H5, renamed);
    expect((await addWeightsFile(renamed, { cacheDir: path.join(tmp, 'cache-add2') })).model).toBe('mobilenet_v1_0.25');

    // A cached file that changed after it was recorded is refused, naming it.
    const bytes = await readFile(added.path);
    bytes[bytes.length - 100] ^= 0xff;
    await writeFile(added.path, bytes);
    const err = await checkWeights('mobilenet_v1_0.25', undefined, { cacheDir, fetch: noNetwork }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidWeightsFileError);
    expect((err as Error).message).toMatch(/mobilenet_2_5_224_tf_no_top\.h5: sha256 [0-9a-f]{64} differs from the [0-9a-f]{64} recorded when it was cached/);
  });

  it('the zoo default downloads the official .h5 (here served over loopback) once, records it, then reads the cache', async () => {
    const cacheDir = path.join(tmp, 'cache-dl');
    const viaLoopback = ((url: string | URL, init?: RequestInit) => fetch(String(url).replace('https://storage.googleapis.com', base), init)) as typeof fetch;
    requests.length = 0;
    const first = await checkWeights('mobilenet_v1_0.25', undefined, { cacheDir, fetch: viaLoopback });
    expect(requests).toEqual(['/tensorflow/keras-applications/mobilenet/mobilenet_2_5_224_tf_no_top.h5']);
    expect(first).toMatchObject({ fromCache: false, format: 'keras-h5', url: 'https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_2_5_224_tf_no_top.h5' });
    const record = JSON.parse(await readFile(`${first.spec}.json`, 'utf8'));
    expect(record).toMatchObject({ file: 'mobilenet_2_5_224_tf_no_top.h5', bytes: (await readFile(H5)).length });
    const second = await checkWeights('mobilenet_v1_0.25', undefined, { cacheDir, fetch: viaLoopback });
    expect(second.fromCache).toBe(true);
    expect(requests).toHaveLength(1);

    // An .h5 URL that is no zoo file is cached under its own name too.
    const url = `${base}/x/mobilenet_2_5_224_tf_no_top.h5`;
    const own = await checkWeights('mobilenet_v1_0.25', url, { cacheDir });
    expect(path.relative(cacheDir, own.spec)).toMatch(/^mobilenet_2_5_224_tf_no_top-[0-9a-f]{10}\/mobilenet_2_5_224_tf_no_top\.h5$/);
  });
});
