/**
 * Audio examples through `@slt/audio`: each clip (WAV, FLAC, Ogg Vorbis or MP3) becomes a
 * normalised log-mel image, through the on-disk feature cache when a cache folder is given.
 */
import {
  AudioDecodeError,
  AudioError,
  AudioOptionError,
  audioFileToImage,
  FeatureCache,
  readAudioInfo,
  resolveFeatureOptions,
  type AudioInfo,
  type FeatureOptions,
} from '@slt/audio';
import { DatasetError, DatasetFileError, DatasetOptionError } from './errors.js';
import { writeResized } from './image.js';
import type { Catalog, CatalogItem } from './layouts/catalog.js';
import { checkWritten, type ImageShapeOptions, type ItemWriter } from './writers.js';

/**
 * How clips become images: `@slt/audio`'s feature options (sampleRate default 22050, nMels 128,
 * nFft 2048, hop 512, topDb 80, kind 'logmel', pad 'zero', ...). `durationSeconds` defaults to 4 for
 * UrbanSound8K (128 x 173 images, as in the paper) and to the longest clip used (rounded up to
 * 10 ms) for class folders, so every clip gives an image of the same width.
 */
export type DatasetAudioOptions = FeatureOptions;

/** Default clip duration for UrbanSound8K, in seconds (the paper's). */
export const URBANSOUND_DURATION = 4;

/** Rewraps an `@slt/audio` error as a {@link DatasetFileError} naming the file (cause kept). */
export function asFileError(file: string, err: unknown): Error {
  if (err instanceof DatasetError) return err;
  if (err instanceof AudioDecodeError) return new DatasetFileError(file, err.reason, { cause: err });
  if (err instanceof AudioError) return new DatasetError(err.message, { cause: err });
  const msg = err instanceof Error ? err.message : String(err);
  return new DatasetFileError(file, msg, { cause: err });
}

/** Facts of an audio file (format, sample rate, channels, duration); errors name the file. */
export async function audioInfo(file: string): Promise<AudioInfo> {
  try {
    return await readAudioInfo(file);
  } catch (err) {
    throw asFileError(file, err);
  }
}

async function defaultDuration(cat: Catalog, items: CatalogItem[]): Promise<number> {
  if (cat.kind === 'urbansound8k') return URBANSOUND_DURATION;
  let longest = 0;
  for (const it of items) longest = Math.max(longest, (await audioInfo(it.file!)).durationSeconds);
  return Math.ceil(longest * 100) / 100;
}

/** Feature options checked up front, so a bad value fails before any file is decoded. */
export function checkAudioOptions(o: DatasetAudioOptions | undefined): void {
  try {
    resolveFeatureOptions(o ?? {});
  } catch (err) {
    if (err instanceof AudioOptionError) {
      throw new DatasetOptionError(`audio.${err.option}`, err.value, err.message.replace(/^option \S+: got .*?, expected /, ''));
    }
    throw err;
  }
}

/**
 * Writer for audio catalogs. The image shape comes from the first clip used; with `imageSize`
 * set, every image is resized (bilinear) to it. Only `items` (the clips the splits use) are
 * looked at for the default duration.
 */
export async function audioWriter(
  cat: Catalog,
  items: CatalogItem[],
  o: DatasetAudioOptions & ImageShapeOptions & { cacheDir?: string },
): Promise<ItemWriter> {
  const { imageSize, channels: ch, cacheDir, ...feature } = o;
  const channels = ch ?? 1;
  const options: DatasetAudioOptions = { ...feature, durationSeconds: feature.durationSeconds ?? (await defaultDuration(cat, items)) };
  const resolved = resolveFeatureOptions(options);
  const cache = cacheDir ? new FeatureCache(cacheDir) : undefined;
  const image = async (file: string) => {
    try {
      return await audioFileToImage(file, { ...options, cache, channels });
    } catch (err) {
      throw asFileError(file, err);
    }
  };
  const first = await image(items[0]!.file!);
  const native = first.shape;
  const [h, w] = imageSize ?? [native[0], native[1]];
  return {
    shape: [h, w, channels],
    settings: {
      audio: resolved,
      nativeImageShape: native,
      imageSize: [h, w],
      resized: h !== native[0] || w !== native[1],
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
