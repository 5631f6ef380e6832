/**
 * Confusion counts and the macro-averaged precision and recall derived from them (the paper's
 * last table). Rows are true classes, columns predicted classes.
 */

/** Macro precision and recall of a confusion matrix. */
export interface MacroScores {
  /**
   * Mean over classes of TP / (TP + FP). A class no sample was predicted as has precision 0
   * (scikit-learn's `zero_division` default, which also warns), and it still counts in the mean.
   */
  precision: number;
  /** Mean over classes of TP / (TP + FN); a class without a true sample has recall 0 (same rule). */
  recall: number;
}

/** Adds predictions to a K x K count matrix (flat, row-major, `counts[true * K + predicted]`). */
export function addToConfusion(counts: Int32Array, classes: number, labels: ArrayLike<number>, predicted: ArrayLike<number>): void {
  for (let i = 0; i < labels.length; i++) counts[labels[i]! * classes + predicted[i]!]! += 1;
}

/**
 * Writes the row-wise argmax of `probs` (N x K, row-major) into `predicted` as tf.argMax computes
 * it (the first index of the largest value; a NaN is never larger, so it wins only in column 0),
 * and returns how many of the values are not finite. One read of the probabilities instead of the
 * argMax, equal, isFinite and sum kernels of every batch.
 */
export function argMaxRows(probs: ArrayLike<number>, classes: number, predicted: Int32Array): number {
  let bad = 0;
  for (let r = 0, o = 0; r < predicted.length; r++, o += classes) {
    let best = probs[o]!;
    let at = 0;
    if (!Number.isFinite(best)) bad++;
    for (let c = 1; c < classes; c++) {
      const v = probs[o + c]!;
      if (!Number.isFinite(v)) bad++;
      if (v > best) {
        best = v;
        at = c;
      }
    }
    predicted[r] = at;
  }
  return bad;
}

/** How many of `predicted` equal `labels`. */
export function countCorrect(labels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === predicted[i]) n++;
  return n;
}

/** The flat counts as a K x K array of rows (`m[true][predicted]`). */
export function confusionRows(counts: Int32Array, classes: number): number[][] {
  return Array.from({ length: classes }, (_, t) => Array.from(counts.subarray(t * classes, (t + 1) * classes)));
}

/**
 * Macro precision and recall of `confusion` (`confusion[true][predicted]`, K x K counts), every
 * class weighted equally; see {@link MacroScores} for classes without predictions or samples.
 */
export function macroPrecisionRecall(confusion: readonly (readonly number[])[]): MacroScores {
  const k = confusion.length;
  if (k === 0) return { precision: 0, recall: 0 };
  let precision = 0;
  let recall = 0;
  for (let c = 0; c < k; c++) {
    const tp = confusion[c]![c] ?? 0;
    let predicted = 0;
    let actual = 0;
    for (let o = 0; o < k; o++) {
      predicted += confusion[o]![c] ?? 0;
      actual += confusion[c]![o] ?? 0;
    }
    precision += predicted > 0 ? tp / predicted : 0;
    recall += actual > 0 ? tp / actual : 0;
  }
  return { precision: precision / k, recall: recall / k };
}
