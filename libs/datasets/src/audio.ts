/**
 * Audio examples through `@slt/audio`: each WAV becomes a normalised log-mel image (the paper's
 * settings by default), through the on-disk feature cache when a cache folder is given.
 */
import {
  AudioError,
  audioFileToImage,
  FeatureCache,
  readWavInfo,
  WavDecodeError,
  type FeatureOptions,
  type WavInfo,
} from '@slt/audio';
import { DatasetError, DatasetFileError } from './errors.js';
import { writeResized } from './image.js';
import type { Catalog } from './layouts/catalog.js';
import { checkWritten, type ImageShapeOptions, type ItemWriter } from './writers.js';

/**
 * How clips become images: `@slt/audio`'s feature options (sampleRate default 22050, nMels 128,
 * nFft 2048, hop 512, topDb 80, kind 'logmel', pad 'zero', ...). `durationSeconds` defaults to 4 for
 * UrbanSound8K (128 x 173 images, as in the paper) and to the longest clip (rounded up to 10 ms)
 * for class folders, so every clip gives an image of the same width.
 */
export type DatasetAudioOptions = FeatureOptions;

/** Default clip duration for UrbanSound8K, in seconds (the paper's). */
export const URBANSOUND_DURATION = 4;

/** Rewraps an `@slt/audio` error as a {@link DatasetFileError} naming the file (cause kept). */
export function asFileError(file: string, err: unknown): Error {
  if (err instanceof DatasetError) return err;
  if (err instanceof WavDecodeError) return new DatasetFileError(file, err.reason, { cause: err });
  if (err instanceof AudioError) return new DatasetError(err.message, { cause: err });
  const msg = err instanceof Error ? err.message : String(err);
  return new DatasetFileError(file, msg, { cause: err });
}

/** Header facts of a WAV file (sample rate, channels, duration); errors name the file. */
export async function wavInfo(file: string): Promise<WavInfo> {
  try {
    return await readWavInfo(file);
  } catch (err) {
    throw asFileError(file, err);
  }
}

async function defaultDuration(cat: Catalog): Promise<number> {
  if (cat.kind === 'urbansound8k') return URBANSOUND_DURATION;
  let longest = 0;
  for (const it of cat.items) longest = Math.max(longest, (await wavInfo(it.file!)).durationSeconds);
  return Math.ceil(longest * 100) / 100;
}

/**
 * Writer for audio catalogs. The image shape comes from the first clip; with `imageSize` set,
 * every image is resized (bilinear) to it.
 */
export async function audioWriter(
  cat: Catalog,
  o: DatasetAudioOptions & ImageShapeOptions & { cacheDir?: string },
): Promise<ItemWriter> {
  const { imageSize, channels: ch, cacheDir, ...feature } = o;
  const channels = ch ?? 1;
  const options: DatasetAudioOptions = { ...feature, durationSeconds: feature.durationSeconds ?? (await defaultDuration(cat)) };
  const cache = cacheDir ? new FeatureCache(cacheDir) : undefined;
  const image = async (file: string) => {
    try {
      return await audioFileToImage(file, { ...options, cache, channels });
    } catch (err) {
      throw asFileError(file, err);
    }
  };
  const first = await image(cat.items[0]!.file!);
  const native = first.shape;
  const [h, w] = imageSize ?? [native[0], native[1]];
  return {
    shape: [h, w, channels],
    settings: {
      audio: { sampleRate: 22050, ...options },
      nativeImageShape: native,
      imageSize: [h, w],
      channels,
      cached: cache !== undefined,
    },
    async write(item, _index, dst, offset) {
      const img = await image(item.file!);
      checkWritten(item.file!, img.shape, native);
      if (h === native[0] && w === native[1]) dst.set(img.data, offset);
      else writeResized(img.data, native[0], native[1], channels, dst, offset, h, w, channels, 1);
    },
  };
}
