/**
 * IDX files (the format of MNIST and Fashion-MNIST), raw or gzipped: magic number, dimensions
 * and size are checked against the file before anything is read from it.
 */
import { DatasetFileError } from './errors.js';
import { readMaybeGzip } from './files.js';

/** Magic number of an IDX file of unsigned bytes with 3 dimensions (images). */
export const IDX_IMAGES_MAGIC = 0x803;
/** Magic number of an IDX file of unsigned bytes with 1 dimension (labels). */
export const IDX_LABELS_MAGIC = 0x801;

/** The content of an IDX file of unsigned bytes. */
export interface IdxArray {
  /** Dimensions, outermost first. */
  dims: number[];
  /** The values (a view into the file's bytes). */
  data: Uint8Array;
}

/** Parses an IDX buffer; `file` names it in errors, `magic` is the expected magic number. */
export function parseIdx(buf: Uint8Array, file: string, magic: number): IdxArray {
  if (buf.length < 4) throw new DatasetFileError(file, `truncated IDX file: ${buf.length} bytes, not even a header`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const got = view.getUint32(0, false);
  if (got !== magic) {
    throw new DatasetFileError(
      file,
      `wrong IDX magic number 0x${got.toString(16).padStart(8, '0')}, expected 0x${magic.toString(16).padStart(8, '0')} (${magic === IDX_IMAGES_MAGIC ? 'unsigned-byte images, 3 dims' : 'unsigned-byte labels, 1 dim'})`,
    );
  }
  const ndims = magic & 0xff;
  const header = 4 + 4 * ndims;
  if (buf.length < header) {
    throw new DatasetFileError(file, `truncated IDX file: ${buf.length} bytes, header needs ${header}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = header + count;
  if (buf.length < expected) {
    throw new DatasetFileError(
      file,
      `truncated IDX file: dims [${dims.join(', ')}] need ${expected} bytes, the file has ${buf.length}`,
    );
  }
  if (buf.length > expected) {
    throw new DatasetFileError(
      file,
      `IDX file too long: dims [${dims.join(', ')}] need ${expected} bytes, the file has ${buf.length}`,
    );
  }
  return { dims, data: buf.subarray(header, expected) };
}

/** Reads an IDX file (raw or .gz) and checks its magic number. */
export async function readIdx(file: string, magic: number): Promise<IdxArray> {
  return parseIdx(await readMaybeGzip(file), file, magic);
}

/** Images and labels of one IDX pair, checked against each other. */
export interface IdxPair {
  imagesFile: string;
  labelsFile: string;
  /** Image height and width. */
  height: number;
  width: number;
  /** N*H*W bytes. */
  images: Uint8Array;
  /** N labels. */
  labels: Uint8Array;
}

/**
 * Reads an images/labels pair: counts must match, image dims must be positive and every label
 * must be below `numClasses`.
 */
export async function readIdxPair(imagesFile: string, labelsFile: string, numClasses: number): Promise<IdxPair> {
  const [img, lab] = await Promise.all([readIdx(imagesFile, IDX_IMAGES_MAGIC), readIdx(labelsFile, IDX_LABELS_MAGIC)]);
  const [n, h, w] = img.dims as [number, number, number];
  if (h === 0 || w === 0) throw new DatasetFileError(imagesFile, `image size ${h}x${w} is empty`);
  if (lab.dims[0] !== n) {
    throw new DatasetFileError(labelsFile, `holds ${lab.dims[0]} labels but ${imagesFile} holds ${n} images`);
  }
  for (let i = 0; i < lab.data.length; i++) {
    if (lab.data[i]! >= numClasses) {
      throw new DatasetFileError(
        labelsFile,
        `label ${lab.data[i]} of record ${i} is out of range: valid labels are 0..${numClasses - 1}`,
      );
    }
  }
  return { imagesFile, labelsFile, height: h, width: w, images: img.data, labels: lab.data };
}
