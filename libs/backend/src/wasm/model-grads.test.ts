import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmGradients } from './register.js';
import { maxAbs, randomValues, relError } from './testing.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const mobilenetDir = path.resolve(repoRoot, '../shared/data/models/mobilenet_v1_0.25_224');

/** A small net with every layer type MobileNet/EfficientNet-style training touches. */
function smallNet(): tf.LayersModel {
  const input = tf.input({ shape: [15, 13, 3] });
  let x = tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]] }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 2 }), movingVarianceInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 3 }) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, useBias: true, depthwiseInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: 5, strides: 2, padding: 'same', useBias: false, depthwiseInitializer: tf.initializers.glorotUniform({ seed: 5 }) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 8, kernelSize: 1, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'swish', kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** ResNet / EfficientNet / VGG pieces: max and average pooling, residual add, squeeze-excite gate. */
function blocksNet(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [17, 17, 2] });
  let x = tf.layers.conv2d({ filters: 6, kernelSize: 7, strides: 2, padding: 'same', kernelInitializer: init(21) }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.zeroPadding2d({ padding: 1 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }).apply(x) as tf.SymbolicTensor;
  const branch = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(22) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.add().apply([x, branch]) as tf.SymbolicTensor;
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'swish', depthwiseInitializer: init(23) }).apply(x) as tf.SymbolicTensor;
  let se = tf.layers.globalAveragePooling2d({}).apply(dw) as tf.SymbolicTensor;
  se = tf.layers.reshape({ targetShape: [1, 1, 6] }).apply(se) as tf.SymbolicTensor;
  se = tf.layers.conv2d({ filters: 6, kernelSize: 1, activation: 'sigmoid', kernelInitializer: init(24) }).apply(se) as tf.SymbolicTensor;
  x = tf.layers.multiply().apply([dw, se]) as tf.SymbolicTensor;
  x = tf.layers.averagePooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, kernelInitializer: init(25) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** MobileNet v1 0.25 from the shared tfjs layers model, truncated at `lastLayer`. */
async function realMobilenet(lastLayer: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(path.join(mobilenetDir, 'model.json'), 'utf8'));
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of json.weightsManifest as tf.io.WeightsManifestConfig) {
    specs.push(...group.weights);
    for (const p of group.paths) buffers.push(await readFile(path.join(mobilenetDir, p)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const full = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }));
  return tf.model({ inputs: full.inputs, outputs: full.getLayer(lastLayer).output as tf.SymbolicTensor });
}

/** Gradients of a softmax cross-entropy loss w.r.t. every trainable weight, on the active backend. */
async function grads(model: tf.LayersModel, xs: Float32Array, shape: number[], labels: number[], training: boolean) {
  const before = tf.memory().numTensors;
  const { value, grads: g } = tf.tidy(() => {
    const x = tf.tensor(xs, shape);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), model.outputs[0].shape[model.outputs[0].shape.length - 1] as number);
    return tf.variableGrads(() => {
      let out = model.apply(x, { training }) as tf.Tensor;
      if (out.rank > 2) out = tf.reshape(tf.mean(out, [1, 2]), [shape[0], -1]);
      if (out.shape[1] !== y.shape[1]) out = tf.slice(out, [0, 0], [shape[0], y.shape[1] as number]);
      return tf.losses.softmaxCrossEntropy(y, out) as tf.Scalar;
    });
  });
  const result: Record<string, Float32Array> = {};
  for (const [k, t] of Object.entries(g)) result[k] = (await t.data()) as Float32Array;
  const loss = (await value.data())[0];
  tf.dispose([value, ...Object.values(g)]);
  expect(tf.memory().numTensors).toBe(before);
  return { loss, result };
}

async function compareBackends(model: tf.LayersModel, shape: number[], labels: number[], training: boolean) {
  const xs = randomValues(shape.reduce((a, b) => a * b, 1), 11).map((v) => (v + 1) / 2);
  await tf.setBackend('cpu');
  const want = await grads(model, xs, shape, labels, training);
  await tf.setBackend('wasm');
  const got = await grads(model, xs, shape, labels, training);
  expect(Object.keys(got.result).sort()).toEqual(Object.keys(want.result).sort());
  expect(Object.keys(got.result).length).toBeGreaterThan(0);
  expect(Math.abs(got.loss - want.loss)).toBeLessThan(1e-4 * Math.max(1, Math.abs(want.loss)));
  // relative to each gradient's own size, but never below 1e-2 of the model's largest gradient: a
  // bias in front of a training-mode BatchNorm has gradient 0 in exact arithmetic (measured: 6e-8 of
  // the largest gradient on cpu), so any other summation order differs by float32 rounding alone
  const floor = 1e-2 * maxAbs(Object.values(want.result));
  for (const k of Object.keys(want.result)) {
    const err = relError(got.result[k], want.result[k], floor);
    expect(err, `gradient of ${k}`).toBeLessThan(1e-4);
  }
}

beforeAll(() => {
  registerWasmGradients();
});

describe('whole-model gradients: wasm equals cpu', () => {
  it('small net (ZeroPadding, Conv2D s2, BatchNorm, ReLU6, DepthwiseConv2D x2 mult 2 / k5 s2, 1x1 and 3x3 Conv2D, Dense)', async () => {
    await tf.setBackend('cpu');
    const model = smallNet();
    await compareBackends(model, [3, 15, 13, 3], [0, 3, 4], true);
    await compareBackends(model, [3, 15, 13, 3], [1, 2, 0], false);
    model.dispose();
  });

  it('pooling, residual add, squeeze-excite (swish, sigmoid, multiply), 7x7 s2 conv', async () => {
    await tf.setBackend('cpu');
    const model = blocksNet();
    await compareBackends(model, [2, 17, 17, 2], [2, 1], false);
    model.dispose();
  });

  it('real MobileNet v1 0.25 (shared ImageNet weights) up to conv_pw_3_relu, BatchNorm in inference mode', async () => {
    await tf.setBackend('cpu');
    const model = await realMobilenet('conv_pw_3_relu');
    await compareBackends(model, [1, 224, 224, 3], [17], false);
    model.dispose();
  });

  it('a training step on wasm changes the weights and leaks no tensors', async () => {
    await tf.setBackend('wasm');
    const model = smallNet();
    const x = tf.randomUniform([4, 15, 13, 3], 0, 1, 'float32', 3);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 5);
    const opt = tf.train.adam(1e-2);
    const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: false }) as tf.Tensor) as tf.Scalar;
    const step = () => tf.tidy(() => opt.minimize(loss, true)!.dataSync()[0]);
    step(); // creates the optimizer's slots
    const before = tf.memory().numTensors;
    const first = step();
    for (let i = 0; i < 5; i++) step();
    const last = step();
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first);
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  });
});
