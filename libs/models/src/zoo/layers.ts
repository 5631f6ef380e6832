/**
 * Small pieces shared by the builders: input validation, a Keras-compatible `Normalization`
 * layer (tfjs-layers has `Rescaling` but no `Normalization`), and `correctPad` of
 * keras.applications.imagenet_utils.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '../errors.js';

/** Input shape of a backbone or task model: [height, width, channels]. */
export type InputShape = [number, number, number];

/** Options every zoo builder takes. */
export interface BuildOptions {
  /** [height, width, channels]; height and width >= 32, channels 1 or 3. */
  inputShape: InputShape;
}

let weightsFollow = 0;

/**
 * Runs `build` (a builder or graph function, synchronous) with the random initialisers of new
 * backbone layers skipped: their variables start at zeros (tfjs-layers' fastWeightInitDuringBuild,
 * as its own model loading does), for a backbone whose weights are written right after or that is
 * only described. A random init costs JavaScript time for nothing: ResNet50's 23.6M values took
 * 0.6-0.8 s per build, in the search process (its description) and in every worker.
 */
export function withWeightsToFollow<R>(build: () => R): R {
  weightsFollow++;
  try {
    return build();
  } finally {
    weightsFollow--;
  }
}

/** A new backbone layer with weights: skips its random initialisers inside {@link withWeightsToFollow}. */
export function weighted<L extends tf.layers.Layer>(layer: L): L {
  if (weightsFollow > 0) layer.setFastWeightInitDuringBuild(true);
  return layer;
}

/** Smallest height/width the builders accept (as keras.applications). */
export const MIN_INPUT_SIZE = 32;

/** Throws {@link InvalidOptionError} unless `shape` is [H >= 32, W >= 32, C in {1, 3}]. */
export function validateInputShape(shape: unknown, option = 'inputShape'): InputShape {
  const ok =
    Array.isArray(shape) &&
    shape.length === 3 &&
    shape.every((v) => Number.isInteger(v)) &&
    shape[0] >= MIN_INPUT_SIZE &&
    shape[1] >= MIN_INPUT_SIZE &&
    (shape[2] === 1 || shape[2] === 3);
  if (!ok) {
    throw new InvalidOptionError(option, shape, `[height, width, channels] with integer height and width >= ${MIN_INPUT_SIZE} and channels 1 or 3`);
  }
  return [shape[0], shape[1], shape[2]] as InputShape;
}

/** Spatial [height, width] of a symbolic NHWC tensor. */
export function spatial(x: tf.SymbolicTensor): [number, number] {
  const [, h, w] = x.shape;
  return [h as number, w as number];
}

/**
 * keras.applications.imagenet_utils.correct_pad: the zero padding that makes a 'valid'
 * strided convolution of `kernel` behave like TensorFlow's 'same' at this input size.
 */
export function correctPad(x: tf.SymbolicTensor, kernel: number): [[number, number], [number, number]] {
  const [h, w] = spatial(x);
  const c = Math.floor(kernel / 2);
  return [
    [c - (1 - (h % 2)), c],
    [c - (1 - (w % 2)), c],
  ];
}

/** Arguments of {@link Normalization}. */
export interface NormalizationArgs {
  /** Layer name. */
  name?: string;
  /** Feature axis (only -1, channels last, is supported). */
  axis?: number;
}

/**
 * Keras' `Normalization` layer (axis -1): `(x - mean) / max(sqrt(variance), 1e-7)` with
 * non-trainable weights `mean`, `variance` (one per channel) and `count` (a scalar), as the
 * keras.applications EfficientNet stem has them. Registered for (de)serialisation.
 */
export class Normalization extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'Normalization';
  private mean?: tf.LayerVariable;
  private variance?: tf.LayerVariable;

  constructor(args: NormalizationArgs = {}) {
    super({ name: args.name });
    if (args.axis !== undefined && args.axis !== -1) {
      throw new InvalidOptionError('Normalization.axis', args.axis, '-1 (channels last)');
    }
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1] as number;
    this.mean = this.addWeight('mean', [channels], 'float32', tf.initializers.zeros(), undefined, false);
    this.variance = this.addWeight('variance', [channels], 'float32', tf.initializers.ones(), undefined, false);
    this.addWeight('count', [], 'float32', tf.initializers.zeros(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const std = tf.maximum(tf.sqrt(this.variance!.read()), 1e-7);
      return tf.div(tf.sub(x, this.mean!.read()), std);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), axis: -1 };
  }
}
tf.serialization.registerClass(Normalization);
