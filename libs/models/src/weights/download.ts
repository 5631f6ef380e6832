/**
 * One resumable, checked download: bytes go to `<dest>.part`; a dropped connection or a timeout is
 * retried from where it stopped (HTTP Range, `If-Range` with the ETag); the size is checked against
 * what the server announced (and an expected size, if known); md5/sha256 are checked when expected
 * values are given; the file appears at `dest` only when whole (rename). One download per `dest` at
 * a time: `<dest>.lock` (the lock primitive of @slt/util, stale owners recovered); a second
 * process (two searches sharing a cache) waits, then finds the file.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockHeldError, acquireFileLock } from '@slt/util';
import { DownloadError } from './errors.js';

/** Progress of a download (see {@link DownloadOptions.onProgress}). */
export interface DownloadProgress {
  /** The URL being downloaded. */
  url: string;
  /** Bytes on disk so far (resumed bytes included). */
  received: number;
  /** Total size, when the server announced it. */
  total?: number;
}

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  /** Abort a request that receives nothing for this long, then retry (ms, default 30000). */
  timeoutMs?: number;
  /** Retries after a failed attempt (network error, timeout, 5xx, short body), default 3. */
  retries?: number;
  /** First pause between attempts (ms, doubled each time, default 500). */
  retryDelayMs?: number;
  /** Called as bytes arrive. */
  onProgress?: (progress: DownloadProgress) => void;
  /** `fetch` to use (default: the global fetch). */
  fetch?: typeof fetch;
  /** Expected size in bytes (checked before and after the transfer). */
  bytes?: number;
  /** Expected md5 (hex), as keras.applications publishes (`file_hash`). */
  md5?: string;
  /** Expected sha256 (hex). */
  sha256?: string;
  /** Aborts the download (not retried). */
  signal?: AbortSignal;
}

/** What {@link downloadFile} delivered. */
export interface DownloadResult {
  /** The file (= `dest`). */
  file: string;
  /** Its size. */
  bytes: number;
  /** Its sha256 (hex). */
  sha256: string;
  /** Its md5 (hex). */
  md5: string;
  /** Attempts used (1 when nothing failed). */
  attempts: number;
  /** True when a partial file from an earlier attempt or run was continued. */
  resumed: boolean;
}

/** An error's message with its network cause (undici says only "fetch failed"). */
function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const msg = e?.message ?? String(err);
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause && !msg.includes(cause) ? `${msg} (${cause})` : msg;
}

/** A failure that retrying will not cure (404, a wrong size or hash). */
class FinalError extends Error {}

/** sha256 and md5 (hex) of a file, streamed. */
export async function hashFile(file: string): Promise<{ sha256: string; md5: string; bytes: number }> {
  const sha = createHash('sha256');
  const md5 = createHash('md5');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    sha.update(chunk as Buffer);
    md5.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: sha.digest('hex'), md5: md5.digest('hex'), bytes };
}

async function sizeOf(file: string): Promise<number> {
  return existsSync(file) ? (await stat(file)).size : 0;
}

/** Parses a Content-Range header: `bytes START-END/TOTAL` (TOTAL may be a star), or a star and `/TOTAL`. */
function contentRange(header: string | null): { start?: number; total?: number } {
  const m = /^bytes (?:(\d+)-\d+|\*)\/(\d+|\*)$/i.exec(header?.trim() ?? '');
  if (!m) return {};
  return { start: m[1] === undefined ? undefined : Number(m[1]), total: m[2] === '*' ? undefined : Number(m[2]) };
}

/**
 * Downloads `url` to `dest` (see the module comment).
 * @throws DownloadError naming the URL and what went wrong (after the retries, or at once for a
 *         4xx answer, a size that differs from the expected one, or a wrong hash)
 */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const dir = path.dirname(dest);
  const hadDir = existsSync(dir);
  await mkdir(dir, { recursive: true });
  const release = await lockDownload(dest, options.signal);
  try {
    if (existsSync(dest)) {
      // Another process finished it while this one waited.
      const h = await hashFile(dest);
      if ((options.md5 && h.md5 !== options.md5.toLowerCase()) || (options.bytes !== undefined && h.bytes !== options.bytes)) {
        throw new DownloadError(url, `${dest} exists but differs from the published file: delete it and fetch again`);
      }
      return { file: dest, ...h, attempts: 0, resumed: false };
    }
    return await transfer(url, dest, options);
  } finally {
    release();
    // Leave no empty cache folder behind a failed download.
    if (!hadDir) await rmdir(dir).catch(() => undefined);
  }
}

/** Takes `<dest>.lock`, waiting while another download of `dest` holds it. */
async function lockDownload(dest: string, signal?: AbortSignal): Promise<() => void> {
  for (;;) {
    try {
      return acquireFileLock(`${dest}.lock`, { what: `the download of ${dest}` });
    } catch (err) {
      if (!(err instanceof LockHeldError)) throw err;
      await sleep(250, undefined, { signal }).catch(() => undefined);
      if (signal?.aborted) throw new DownloadError(dest, 'aborted while waiting for another download of the same file', { cause: signal.reason });
    }
  }
}

async function transfer(url: string, dest: string, options: DownloadOptions): Promise<DownloadResult> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 3;
  const part = `${dest}.part`;
  let total: number | undefined;
  let etag: string | undefined;
  let resumed = false;
  let attempts = 0;
  let lastError: unknown;
  let done = false;
  for (let attempt = 0; attempt <= retries && !done; attempt++) {
    if (attempt > 0) await sleep((options.retryDelayMs ?? 500) * 2 ** (attempt - 1), undefined, { signal: options.signal }).catch(() => undefined);
    if (options.signal?.aborted) throw new DownloadError(url, 'aborted', { cause: options.signal.reason });
    attempts++;
    let offset = await sizeOf(part);
    if (total !== undefined && offset > total) {
      await rm(part, { force: true });
      offset = 0;
    }
    const ctrl = new AbortController();
    const onAbort = (): void => ctrl.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        ctrl.abort(new Error(`no data for ${timeoutMs} ms`));
      }, timeoutMs);
    };
    try {
      arm();
      const headers: Record<string, string> = {};
      if (offset > 0) {
        headers.Range = `bytes=${offset}-`;
        if (etag) headers['If-Range'] = etag;
      }
      const res = await doFetch(url, { headers, signal: ctrl.signal });
      if (res.status === 416 && offset > 0) {
        // Nothing left to send: complete if the part is as long as the file, else start over.
        await res.body?.cancel();
        const t = contentRange(res.headers.get('content-range')).total;
        if (t !== undefined && t === offset) {
          total = t;
          done = true;
          continue;
        }
        await rm(part, { force: true });
        throw new Error('the server refused the range of the partial file: starting over');
      }
      if (!res.ok) {
        await res.body?.cancel();
        const why = `HTTP ${res.status} ${res.statusText}`.trim();
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new FinalError(why);
        throw new Error(why);
      }
      etag = res.headers.get('etag') ?? etag;
      const length = res.headers.get('content-length');
      let append = false;
      if (res.status === 206 && offset > 0) {
        const cr = contentRange(res.headers.get('content-range'));
        if (cr.start !== offset) {
          await res.body?.cancel();
          await rm(part, { force: true });
          throw new Error(`the server resumed at byte ${cr.start ?? '?'} instead of ${offset}: starting over`);
        }
        total = cr.total ?? (length !== null ? offset + Number(length) : undefined);
        append = true;
        resumed = true;
      } else {
        total = length !== null && !res.headers.get('content-encoding') ? Number(length) : undefined;
        offset = 0;
      }
      if (options.bytes !== undefined && total !== undefined && total !== options.bytes) {
        await res.body?.cancel();
        throw new FinalError(`the server announces ${total} bytes but the file has ${options.bytes}`);
      }
      const fh = await open(part, append ? 'a' : 'w');
      let received = offset;
      try {
        options.onProgress?.({ url, received, total });
        if (res.body) {
          for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
            arm();
            await fh.write(chunk);
            received += chunk.byteLength;
            options.onProgress?.({ url, received, total });
          }
        }
      } finally {
        await fh.close();
      }
      if (total !== undefined && received < total) throw new Error(`connection closed after ${received} of ${total} bytes`);
      if (total !== undefined && received > total) {
        await rm(part, { force: true });
        throw new FinalError(`received ${received} bytes but the server announced ${total}`);
      }
      total ??= received;
      done = true;
    } catch (err) {
      if (err instanceof FinalError) {
        await rm(part, { force: true });
        throw new DownloadError(url, err.message, { cause: err });
      }
      if (options.signal?.aborted) throw new DownloadError(url, 'aborted', { cause: err });
      lastError = timedOut ? new Error(`timed out: no data for ${timeoutMs} ms`, { cause: err }) : err;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }
  if (!done) {
    const why = describe(lastError);
    const kept = existsSync(part) ? ` (the partial file ${part} is kept; run again to resume)` : '';
    throw new DownloadError(url, `gave up after ${attempts} attempt(s): ${why}${kept}`, { cause: lastError });
  }
  const hashes = await hashFile(part);
  const fail = async (why: string): Promise<never> => {
    await rm(part, { force: true });
    throw new DownloadError(url, why);
  };
  if (options.bytes !== undefined && hashes.bytes !== options.bytes) await fail(`got ${hashes.bytes} bytes, expected ${options.bytes}`);
  if (total !== undefined && hashes.bytes !== total) await fail(`got ${hashes.bytes} bytes, the server announced ${total}`);
  if (options.md5 && hashes.md5 !== options.md5.toLowerCase()) await fail(`md5 ${hashes.md5} differs from the published ${options.md5}: the file is corrupt`);
  if (options.sha256 && hashes.sha256 !== options.sha256.toLowerCase()) await fail(`sha256 ${hashes.sha256} differs from the expected ${options.sha256}`);
  await rename(part, dest);
  return { file: dest, bytes: hashes.bytes, sha256: hashes.sha256, md5: hashes.md5, attempts, resumed };
}
