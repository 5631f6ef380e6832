/**
 * The form's estimate of a budget's time before launch: evaluations x epochs x training images,
 * over a training speed (images/s) measured by an earlier search here, scaled to the input size,
 * or a conservative default. Pure: the speed and the data set's size are looked up by useEstimate.
 */
import { formatDuration } from '@slt/runner/light';

/** A training speed to estimate from, and where it comes from. */
export interface SpeedReference {
  /** Images per second the whole search trained at (summed over its workers). */
  imagesPerSecond: number;
  /** The input size it was measured at. */
  input: [number, number];
  /** Words for the source, e.g. `your last search's` or `a conservative default of`. */
  source: string;
  /** The data set it ran on and its training split's size (to reuse for the same data set). */
  dataset?: string;
  trainImages?: number;
}

/**
 * When no search ran here yet: 40 img/s at 32x32, below every demo figure measured on a loaded
 * 2-core machine (43-71 img/s at 64x64 for MobileNetV1-0.25, 50-310 img/s at 32x32), so the
 * estimate errs long.
 */
export const DEFAULT_SPEED: SpeedReference = { imagesPerSecond: 40, input: [32, 32], source: 'a conservative default of' };

/** What the budget holds: evaluations (GA genomes and baselines), epochs, the input size. */
export interface Budget {
  mode: 'search' | 'baselines' | 'compare';
  population: number;
  generations: number;
  epochs: number;
  randomBaselines: number;
  input: [number, number];
}

/** Evaluations of a budget: population x generations for the GA, 3 + the random baselines for the baselines, both for compare. */
export function budgetEvaluations(b: Budget): number {
  const ga = b.mode === 'baselines' ? 0 : b.population * b.generations;
  const baselines = b.mode === 'search' ? 0 : 3 + b.randomBaselines;
  return ga + baselines;
}

/**
 * The estimate in words: `about 4m10s: 24 evaluations x 1 epoch x 630 images at 60 img/s (your
 * last search's 240 img/s at 32x32, scaled to 64x64)`; the speed is scaled by the pixel count when the reference ran
 * at another input size (said so), and the training images are said unknown when they are.
 */
export function budgetEstimate(b: Budget, ref: SpeedReference, trainImages: number | undefined): string {
  const evals = budgetEvaluations(b);
  const scale = (ref.input[0] * ref.input[1]) / (b.input[0] * b.input[1]);
  const ips = ref.imagesPerSecond * scale;
  const what = `${evals} evaluation${evals === 1 ? '' : 's'} x ${b.epochs} epoch${b.epochs === 1 ? '' : 's'}`;
  const basis = `${ref.source} ${Math.round(ref.imagesPerSecond)} img/s${scale !== 1 ? ` at ${ref.input[0]}x${ref.input[1]}, scaled to ${b.input[0]}x${b.input[1]}` : ''}`;
  if (!trainImages) return `time unknown until the data set is read: ${what} at ${Math.round(ips)} img/s (${basis})`;
  const seconds = (evals * b.epochs * trainImages) / Math.max(1e-6, ips);
  return `about ${formatDuration(seconds)}: ${what} x ${trainImages} images at ${Math.round(ips)} img/s (${basis})`;
}
