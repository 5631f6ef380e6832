/**
 * A catalog: what a layout holds before anything heavy is decoded (class names, one entry per
 * example with its label, and a fixed test split when the source defines one).
 */
import type { DatasetKind } from '../types.js';

/** One example of a data set. */
export interface CatalogItem {
  /** Stable id recorded in the split: a path relative to the root, or `<file>#<index>`. */
  id: string;
  /** Class index, 0..K-1. */
  label: number;
  /** Absolute path of the file holding it (for file-per-example sets). */
  file?: string;
  /** True when the source puts it in the test split (IDX t10k files, an UrbanSound8K fold). */
  fixedTest?: boolean;
}

/** What the example files are. */
export type Media = 'idx' | 'image' | 'audio';

/** A data set's catalog. */
export interface Catalog {
  /** The layout. */
  kind: DatasetKind;
  /** Data set name (folder name). */
  name: string;
  /** Absolute root folder. */
  root: string;
  /** What the examples are. */
  media: Media;
  /** K class names; label i means classNames[i]. */
  classNames: string[];
  /** Every example, in source order. */
  items: CatalogItem[];
  /** What defined the fixed test split, when there is one. */
  testSource?: string;
  /** Entries the layout found but cannot use (a folder, FIFO or dangling link named like a media file), and why. */
  unusable?: { id: string; file: string; error: string }[];
}

/** The Fashion-MNIST class names, label 0..9. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];
