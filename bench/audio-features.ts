/**
 * Feature throughput on ../shared/data/fsdd-480 (480 real 8 kHz clips), single thread:
 *   cold  = read + decode + resample + STFT + mel + dB (no cache)
 *   fill  = cold + writing each entry into a fresh FeatureCache
 *   warm  = the same files again through the filled cache (hash + read, no decoding)
 * for librosa defaults (22050 Hz, full length) and the paper's setting (44.1 kHz, 3.6 s -> 128x311).
 * Run: npx tsx bench/audio-features.ts
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { audioFileToImage, FeatureCache, type ImageOptions } from '@slt/audio';

const root = resolve(import.meta.dirname, '..', '../shared/data/fsdd-480');

async function listWavs(): Promise<string[]> {
  const out: string[] = [];
  for (const cls of (await readdir(root)).sort()) {
    const d = join(root, cls);
    for (const f of (await readdir(d)).sort()) if (f.endsWith('.wav')) out.push(join(d, f));
  }
  return out;
}

/** Wall seconds and CPU seconds (user + system) of one pass over `files`. */
async function pass(files: string[], options: ImageOptions): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const f of files) await audioFileToImage(f, options);
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

const files = await listWavs();
const settings: [string, ImageOptions][] = [
  ['librosa defaults (22050 Hz, full length)', {}],
  ['paper (44100 Hz, 3.6 s, repeat pad, 3 ch)', { sampleRate: 44100, durationSeconds: 3.6, pad: 'repeat', channels: 3 }],
];
console.log(`fsdd-480: ${files.length} clips, node ${process.version}, load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
for (const [name, options] of settings) {
  const dir = await mkdtemp(join(tmpdir(), 'slt-bench-audio-'));
  try {
    await pass(files.slice(0, 20), options); // JIT warm-up
    const cold = await pass(files, options);
    const cache = new FeatureCache(dir);
    const fill = await pass(files, { ...options, cache });
    const warm = await pass(files, { ...options, cache });
    if (cache.stats.hits !== files.length) throw new Error(`expected ${files.length} cache hits, got ${cache.stats.hits}`);
    // clips per CPU-second is the figure to compare on a shared machine (wall time depends on load)
    const rate = (p: { wall: number; cpu: number }) =>
      `${(files.length / p.wall).toFixed(1).padStart(7)} clips/s wall (${p.wall.toFixed(2)} s), ` +
      `${(files.length / p.cpu).toFixed(1).padStart(7)} clips per CPU-s`;
    console.log(`\n${name}`);
    console.log(`  cold (decode+resample+mel): ${rate(cold)}`);
    console.log(`  cold + cache write        : ${rate(fill)}`);
    console.log(`  warm (feature cache)      : ${rate(warm)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
