/**
 * Tensors saved for the backward pass shared, not cloned: tfjs' engine saves every kernel input or
 * output a gradient needs by `clone`, which runs the Identity kernel through the whole kernel path
 * and adds a tape node per saved tensor (about 240 per training step of MobileNetV1-0.25, 40% of
 * its kernel calls, each one more node for the tape filter to walk). Here the saved tensor is a new
 * tensor on the same data (one more reference in the backend), as slt's shared Identity already
 * made it on wasm, without the kernel call or the tape node. The tape node only mattered for
 * gradients of gradients, which slt does not take. Both save paths are covered: a registered
 * kernel's (`saveTensorsForBackwardMode`) and a custom-gradient op's (tf.fused.conv2d and
 * tf.fused.matMul save by `engine.clone`, which tfjs calls for nothing else: 42 Identity kernels
 * and tape nodes per training step of a half-trainable MobileNetV1-0.25). On while the fused kernels are on
 * ({@link fusedKernelsEnabled}); elsewhere, and for string or complex tensors, tfjs' own runs.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedKernelsEnabled } from './gradients.js';

type Save = (tensors: tf.Tensor[]) => tf.Tensor[];
interface EngineInternals {
  saveTensorsForBackwardMode: Save;
  /** tfjs calls it only to save a custom-gradient op's tensor (engine.ts: "called instead of the public-facing tensor.clone() when saving a tensor for backwards pass"). */
  clone(x: tf.Tensor): tf.Tensor;
  state: { tensorInfo: { get(dataId: object): { backend?: { incRef?: (dataId: object) => void } } | undefined } };
  keep<T extends tf.Tensor>(t: T): T;
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: unknown): tf.Tensor;
}

let installedOn: object | undefined;

/** A tensor on `t`'s data (one more backend reference), kept; undefined when that cannot be done for `t`. */
function share(engine: EngineInternals, t: tf.Tensor): tf.Tensor | undefined {
  if (t.dtype === 'string' || t.dtype === 'complex64') return undefined;
  const backend = engine.state.tensorInfo.get(t.dataId)?.backend;
  if (!backend || typeof backend.incRef !== 'function') return undefined;
  backend.incRef(t.dataId);
  return engine.keep(engine.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }, backend));
}

/** Installs the shared saves on tfjs' engine (idempotent). Returns whether it installed them on this call. */
export function installSharedSaves(): boolean {
  const engine = tf.engine() as unknown as EngineInternals;
  if (installedOn === engine || typeof engine.saveTensorsForBackwardMode !== 'function' || typeof engine.clone !== 'function' || !engine.state?.tensorInfo) return false;
  installedOn = engine;
  const original = engine.saveTensorsForBackwardMode.bind(engine);
  engine.saveTensorsForBackwardMode = (tensors) =>
    fusedKernelsEnabled() ? tensors.map((t) => share(engine, t) ?? original([t])[0]!) : original(tensors);
  const clone = engine.clone.bind(engine);
  engine.clone = (x) => (fusedKernelsEnabled() ? (share(engine, x) ?? clone(x)) : clone(x));
  return true;
}
