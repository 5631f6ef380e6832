/**
 * BatchNormalization in inference mode as one FusedBatchNorm kernel call. tfjs-layers' own call
 * (a tidy, tf.batchNorm4d, then a Reshape of the result to the shape it already has) adds a
 * Reshape kernel forward and another backward per layer and step: about a quarter of the kernel
 * calls of a training step of a half-trainable MobileNetV1 at 32 px, where a kernel call's
 * JavaScript costs about as much as its arithmetic. The kernel, its inputs and so its gradient are
 * tfjs' own, so outputs and gradients are the same bit for bit. A training-mode call, another rank
 * and a feature axis other than the last keep tfjs-layers' call.
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-layers' BatchNormalization this file reads. */
interface BatchNormLayer {
  axis: number;
  epsilon: number;
  gamma: tf.LayerVariable | null;
  beta: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

const patched = new WeakSet<object>();

function asBatchNorm(layer: tf.layers.Layer): BatchNormLayer | undefined {
  if (layer.getClassName() !== 'BatchNormalization') return undefined;
  const l = layer as unknown as Partial<BatchNormLayer>;
  return typeof l.axis === 'number' && typeof l.epsilon === 'number' && typeof l.movingMean?.read === 'function' && typeof l.movingVariance?.read === 'function'
    ? (l as BatchNormLayer)
    : undefined;
}

/**
 * Makes every built BatchNormalization layer of `model` run an inference-mode call on a 4-D
 * channels-last input as one FusedBatchNorm kernel (see the file comment). Idempotent; the layers'
 * configs and weights are untouched. Returns how many layers it changed now.
 */
export function fuseInferenceBatchNorm(model: tf.LayersModel): number {
  let n = 0;
  for (const layer of model.layers) {
    const bn = asBatchNorm(layer);
    if (!bn || patched.has(bn)) continue;
    patched.add(bn);
    n++;
    const tfjsCall = bn.call.bind(bn);
    bn.call = (inputs, kwargs) => {
      const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
      if ((kwargs?.training != null && kwargs.training !== false) || !x || x.rank !== 4 || (bn.axis !== -1 && bn.axis !== 3) || !bn.movingMean || !bn.movingVariance) return tfjsCall(inputs, kwargs);
      const inputsMap = {
        x,
        scale: bn.gamma?.read(),
        offset: bn.beta?.read(),
        mean: bn.movingMean.read(),
        variance: bn.movingVariance.read(),
      };
      return tf.engine().runKernel(tf.FusedBatchNorm, inputsMap as unknown as tf.NamedTensorMap, { varianceEpsilon: bn.epsilon }) as tf.Tensor;
    };
  }
  return n;
}
