/**
 * Item writers: each decodes one example of a catalog straight into its slot of a split's
 * Float32Array, so a data set is never held as one array (or tensor) per example.
 */
import { DatasetFileError, DatasetOptionError } from './errors.js';
import { readFileNamed } from './files.js';
import { decodeImage, writeResized } from './image.js';
import type { Catalog, CatalogItem } from './layouts/catalog.js';
import type { IdxCatalog } from './layouts/idx-layout.js';

/** Decodes examples of one catalog into [H, W, C] float images in [0, 1]. */
export interface ItemWriter {
  /** [H, W, C] of every image written. */
  shape: [number, number, number];
  /** Settings that shaped the images, for the data set's record. */
  settings: Record<string, unknown>;
  /** Writes catalog item `index` into `dst` from `offset` (H*W*C floats). */
  write(item: CatalogItem, index: number, dst: Float32Array, offset: number): Promise<void>;
}

/** Image size and channel options shared by the writers. */
export interface ImageShapeOptions {
  imageSize?: [number, number];
  channels?: 1 | 3;
}

/** Checks `imageSize` ([height, width], integers 1..4096) and `channels` (1 or 3). */
export function checkShapeOptions(o: ImageShapeOptions): void {
  const s = o.imageSize;
  if (
    s !== undefined &&
    !(Array.isArray(s) && s.length === 2 && s.every((v) => Number.isInteger(v) && v >= 1 && v <= 4096))
  ) {
    throw new DatasetOptionError('imageSize', s, '[height, width]: two integers in 1..4096');
  }
  if (o.channels !== undefined && o.channels !== 1 && o.channels !== 3) {
    throw new DatasetOptionError('channels', o.channels, '1 (grey) or 3 (RGB)');
  }
}

/** Writer for IDX catalogs: bytes / 255, resized when `imageSize` differs from the file's. */
export function idxWriter(cat: IdxCatalog, o: ImageShapeOptions): ItemWriter {
  const p0 = cat.pairs[0]!;
  const [h, w] = o.imageSize ?? [p0.height, p0.width];
  const c = o.channels ?? 1;
  return {
    shape: [h, w, c],
    settings: { imageSize: [h, w], channels: c, sourceSize: [p0.height, p0.width] },
    async write(_item, index, dst, offset) {
      const { pair, record } = cat.where[index]!;
      const p = cat.pairs[pair]!;
      const px = p.height * p.width;
      const src = p.images.subarray(record * px, (record + 1) * px);
      if (h === p.height && w === p.width && c === 1) {
        for (let i = 0; i < px; i++) dst[offset + i] = src[i]! / 255;
      } else writeResized(src, p.height, p.width, 1, dst, offset, h, w, c);
    },
  };
}

/**
 * Writer for PNG/JPEG class folders. Without `imageSize` every image is resized to the size of
 * the catalog's first image; without `channels`, 3 when that image has colour, else 1.
 */
export async function imageWriter(cat: Catalog, o: ImageShapeOptions): Promise<ItemWriter> {
  const first = cat.items[0]!;
  const img0 = decodeImage(await readFileNamed(first.file!), first.file!);
  const [h, w] = o.imageSize ?? [img0.height, img0.width];
  const c = o.channels ?? (img0.grey ? 1 : 3);
  return {
    shape: [h, w, c],
    settings: { imageSize: [h, w], channels: c, sizeFrom: o.imageSize ? 'option' : first.id },
    async write(item, _index, dst, offset) {
      const img = decodeImage(await readFileNamed(item.file!), item.file!);
      writeResized(img.rgb, img.height, img.width, 3, dst, offset, h, w, c);
    },
  };
}

/** Throws when `data` does not have the writer's shape (guards an audio image of another size). */
export function checkWritten(file: string, got: readonly number[], want: readonly number[]): void {
  if (got.length !== want.length || got.some((v, i) => v !== want[i])) {
    throw new DatasetFileError(file, `gave an image of shape [${got.join(', ')}], expected [${want.join(', ')}]`);
  }
}
