import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DownloadProgress } from '../index.js';
import { downloadFile } from './download.js';
import { DownloadError } from './errors.js';

const BODY = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31 + (i >> 8)) & 0xff));
const MD5 = createHash('md5').update(BODY).digest('hex');
const SHA = createHash('sha256').update(BODY).digest('hex');

let server: Server;
let base: string;
let tmp: string;
const log: { url: string; range?: string }[] = [];
const dropped = new Set<string>();

/** Serves BODY with Range support; `/drop` cuts the first response mid-file, `/stall` stops sending, `/norange` ignores Range. */
function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '';
  log.push({ url, range: req.headers.range });
  if (url.startsWith('/missing')) {
    res.writeHead(404).end('no');
    return;
  }
  if (url.startsWith('/flaky') && !dropped.has(url)) {
    dropped.add(url);
    res.writeHead(503).end('busy');
    return;
  }
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const start = m && !url.startsWith('/norange') ? Number(m[1]) : 0;
  const headers: Record<string, string | number> = { ETag: '"v1"', 'Content-Length': BODY.length - start, 'Accept-Ranges': 'bytes' };
  if (start > 0) headers['Content-Range'] = `bytes ${start}-${BODY.length - 1}/${BODY.length}`;
  res.writeHead(start > 0 ? 206 : 200, headers);
  if (url.startsWith('/stall')) {
    res.write(BODY.subarray(0, 1000)); // then nothing: the client's idle timeout must fire
    return;
  }
  if ((url.startsWith('/drop') || url.startsWith('/norange')) && !dropped.has(url)) {
    dropped.add(url);
    res.write(BODY.subarray(start, start + 70_000), () => res.socket?.destroy());
    return;
  }
  res.end(BODY.subarray(start));
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'slt-download-'));
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(tmp, { recursive: true, force: true });
});

const fast = { retryDelayMs: 10, timeoutMs: 2000 };

describe('downloadFile over loopback HTTP', () => {
  it('downloads whole, checks md5 and sha256, reports progress up to the total', async () => {
    const seen: DownloadProgress[] = [];
    const dest = path.join(tmp, 'a', 'file.h5');
    const r = await downloadFile(`${base}/file`, dest, { ...fast, md5: MD5, sha256: SHA, onProgress: (p) => seen.push(p) });
    expect(r).toMatchObject({ bytes: BODY.length, md5: MD5, sha256: SHA, attempts: 1, resumed: false });
    expect((await readFile(dest)).equals(BODY)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(seen.at(-1)).toEqual({ url: `${base}/file`, received: BODY.length, total: BODY.length });
    expect(seen.every((p, i) => i === 0 || p.received >= seen[i - 1]!.received)).toBe(true);
  });

  it('continues a partial file left by an earlier run with a Range request (206)', async () => {
    const dest = path.join(tmp, 'partial.h5');
    await writeFile(`${dest}.part`, BODY.subarray(0, 12_345));
    log.length = 0;
    const r = await downloadFile(`${base}/file?p`, dest, fast);
    expect(log).toEqual([{ url: '/file?p', range: 'bytes=12345-' }]);
    expect(r.resumed).toBe(true);
    expect((await readFile(dest)).equals(BODY)).toBe(true);
  });

  it('resumes after the connection drops mid-file', async () => {
    const dest = path.join(tmp, 'drop.h5');
    log.length = 0;
    const r = await downloadFile(`${base}/drop`, dest, { ...fast, md5: MD5 });
    expect(r.attempts).toBe(2);
    expect(r.resumed).toBe(true);
    expect(log[0]!.range).toBeUndefined();
    expect(log[1]!.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(log[1]!.range!)![0])).toBeGreaterThan(0);
    expect((await readFile(dest)).equals(BODY)).toBe(true);
  });

  it('starts over when the server ignores Range (200), and retries a 503', async () => {
    const a = await downloadFile(`${base}/norange`, path.join(tmp, 'norange.h5'), { ...fast, sha256: SHA });
    expect(a.attempts).toBe(2);
    expect(a.resumed).toBe(false);
    const b = await downloadFile(`${base}/flaky`, path.join(tmp, 'flaky.h5'), fast);
    expect(b.attempts).toBe(2);
  });

  it('fails at once on a wrong size or a 404, and on a wrong md5, leaving no file', async () => {
    const dest = path.join(tmp, 'wrong.h5');
    const e1 = await downloadFile(`${base}/file`, dest, { ...fast, bytes: BODY.length + 1 }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(DownloadError);
    expect((e1 as Error).message).toContain(`the server announces ${BODY.length} bytes but the file has ${BODY.length + 1}`);
    const e2 = await downloadFile(`${base}/missing`, dest, fast).catch((e: unknown) => e);
    expect((e2 as Error).message).toMatch(/missing failed: HTTP 404/);
    const e3 = await downloadFile(`${base}/file`, dest, { ...fast, md5: '0'.repeat(32) }).catch((e: unknown) => e);
    expect((e3 as Error).message).toContain(`md5 ${MD5} differs from the published ${'0'.repeat(32)}`);
    expect(existsSync(dest) || existsSync(`${dest}.part`)).toBe(false);
  });

  it('two downloads of the same file at once: one transfers, the other waits for its lock and finds the file', async () => {
    const dest = path.join(tmp, 'twice', 'file.h5');
    log.length = 0;
    const [a, b] = await Promise.all([downloadFile(`${base}/file?twice`, dest, { ...fast, md5: MD5 }), downloadFile(`${base}/file?twice`, dest, { ...fast, md5: MD5 })]);
    expect(log.filter((r) => r.url === '/file?twice')).toHaveLength(1);
    expect([a.attempts, b.attempts].sort()).toEqual([0, 1]);
    expect(a.sha256).toBe(SHA);
    expect(b.sha256).toBe(SHA);
    expect((await readFile(dest)).equals(BODY)).toBe(true);
    expect(existsSync(`${dest}.lock`)).toBe(false);
  });

  it('a failed download into a new folder leaves no folder behind', async () => {
    const dir = path.join(tmp, 'never');
    await downloadFile(`${base}/missing`, path.join(dir, 'x.h5'), fast).catch(() => undefined);
    expect(existsSync(dir)).toBe(false);
  });

  it('times out a stalled transfer, retries, then gives up keeping the partial file to resume', async () => {
    const dest = path.join(tmp, 'stall.h5');
    const t0 = Date.now();
    const err = await downloadFile(`${base}/stall`, dest, { timeoutMs: 150, retries: 1, retryDelayMs: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as Error).message).toMatch(/gave up after 2 attempt\(s\): timed out: no data for 150 ms/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(existsSync(`${dest}.part`)).toBe(true);
    expect(existsSync(dest)).toBe(false);
  });
});
