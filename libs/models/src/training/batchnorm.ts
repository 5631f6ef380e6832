/**
 * BatchNormalization in inference mode as one FusedBatchNorm kernel call. tfjs-layers' own call
 * (a tidy, tf.batchNorm4d, then a Reshape of the result to the shape it already has) adds a
 * Reshape kernel forward and another backward per layer and step: about a quarter of the kernel
 * calls of a training step of a half-trainable MobileNetV1 at 32 px, where a kernel call's
 * JavaScript costs about as much as its arithmetic. The kernel, its inputs and so its gradient are
 * tfjs' own, so outputs and gradients are the same bit for bit. A training-mode call, another rank
 * and a feature axis other than the last keep tfjs-layers' call.
 *
 * Where a BatchNorm's output goes only to a ReLU or ReLU6 layer (MobileNet, ResNet), the BatchNorm
 * applies the activation in the same kernel, forward and backward (`batchNormActivation` of
 * @slt/backend: the same values and gradients bit for bit), and the activation layer passes such an
 * output on as it is. That is 2 of the 4 kernel calls of the pair per step; measured 7.6% of a
 * MobileNetV1-0.25 evaluation at 32 px. Where that kernel is missing (not wasm, SIMD or fused
 * kernels off) both layers run as before.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormActivation, type BatchNormActivation } from '@slt/backend';

/** The parts of tfjs-layers' BatchNormalization this file reads. */
interface BatchNormLayer {
  name: string;
  axis: number;
  epsilon: number;
  gamma: tf.LayerVariable | null;
  beta: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

const patched = new WeakSet<object>();
/** Outputs of a BatchNorm that already applied its activation layer's function, by that layer. */
const activated = new WeakMap<tf.Tensor, object>();

function asBatchNorm(layer: tf.layers.Layer): BatchNormLayer | undefined {
  if (layer.getClassName() !== 'BatchNormalization') return undefined;
  const l = layer as unknown as Partial<BatchNormLayer>;
  return typeof l.axis === 'number' && typeof l.epsilon === 'number' && typeof l.movingMean?.read === 'function' && typeof l.movingVariance?.read === 'function'
    ? (l as BatchNormLayer)
    : undefined;
}

/** ReLU6 or ReLU when `layer` is one of those activation layers (ReLU with max value 6 or none, Activation('relu')). */
function activationOf(layer: tf.layers.Layer): BatchNormActivation | undefined {
  const config = layer.getConfig() as { maxValue?: number | null; activation?: unknown };
  if (layer.getClassName() === 'ReLU') return config.maxValue === 6 ? 'relu6' : config.maxValue == null ? 'relu' : undefined;
  return layer.getClassName() === 'Activation' && config.activation === 'relu' ? 'relu' : undefined;
}

/**
 * The activation layer that alone reads `bn`'s output, and which reads nothing else, when there is
 * one and the output is not one of the model's: then the BatchNorm may apply the activation itself.
 */
function soleActivation(model: tf.LayersModel, bn: tf.layers.Layer): { layer: tf.layers.Layer; activation: BatchNormActivation } | undefined {
  const consumers = new Set(bn.outboundNodes.map((n) => n.outboundLayer));
  if (consumers.size !== 1 || model.outputs.some((t) => t.sourceLayer === bn)) return undefined;
  const layer = [...consumers][0]!;
  const activation = activationOf(layer);
  if (!activation || !layer.inboundNodes.every((n) => n.inboundLayers.length === 1 && n.inboundLayers[0] === bn)) return undefined;
  return { layer, activation };
}

const single = (inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | undefined => (Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs);

/** Options of {@link fuseInferenceBatchNorm}. */
export interface FuseBatchNormOptions {
  /** Also apply a ReLU or ReLU6 layer that alone reads a BatchNorm's output in the BatchNorm's kernel. Default true. */
  activations?: boolean;
}

/**
 * Makes every built BatchNormalization layer of `model` run an inference-mode call on a 4-D
 * channels-last input as one FusedBatchNorm kernel, and, where the BatchNorm's output goes only to
 * a ReLU or ReLU6 layer, as one kernel with that activation (see the file comment). Idempotent; the
 * layers' configs and weights are untouched. Returns how many layers it changed now.
 */
export function fuseInferenceBatchNorm(model: tf.LayersModel, options: FuseBatchNormOptions = {}): number {
  let n = 0;
  for (const layer of model.layers) {
    const bn = asBatchNorm(layer);
    if (!bn || patched.has(bn)) continue;
    patched.add(bn);
    n++;
    const next = options.activations === false ? undefined : soleActivation(model, layer);
    if (next && !patched.has(next.layer)) {
      patched.add(next.layer);
      const act = next.layer;
      const actCall = act.call.bind(act);
      // Its input already is the activation's value: returned as is (Layer.apply clones it: one shared-memory Identity)
      act.call = (inputs, kwargs) => {
        const x = single(inputs);
        return x && activated.get(x) === act ? x : actCall(inputs, kwargs);
      };
    }
    const tfjsCall = bn.call.bind(bn);
    bn.call = (inputs, kwargs) => {
      const x = single(inputs);
      if ((kwargs?.training != null && kwargs.training !== false) || !x || x.rank !== 4 || (bn.axis !== -1 && bn.axis !== 3) || !bn.movingMean || !bn.movingVariance) return tfjsCall(inputs, kwargs);
      const mean = bn.movingMean.read();
      const variance = bn.movingVariance.read();
      if (next && bn.gamma && bn.beta) {
        const y = batchNormActivation(x, mean, variance, bn.gamma.read(), bn.beta.read(), bn.epsilon, next.activation);
        if (y) {
          activated.set(y, next.layer);
          return y;
        }
      }
      const inputsMap = { x, scale: bn.gamma?.read(), offset: bn.beta?.read(), mean, variance };
      return tf.engine().runKernel(tf.FusedBatchNorm, inputsMap as unknown as tf.NamedTensorMap, { varianceEpsilon: bn.epsilon }) as tf.Tensor;
    };
  }
  return n;
}
