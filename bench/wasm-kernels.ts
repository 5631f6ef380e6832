// Speed of slt's wasm backward kernels and of a MobileNetV1-0.25-shaped training step.
// Run: npx tsx bench/wasm-kernels.ts [--quick] [--sizes 32,64,96] [--batch 16] [--steps 4] [--backends cpu,wasm]
//      [--no-kernels] [--profile (top kernels of one wasm step)] [--slow-cpu (cpu above 64 px too)]
// Prints per-kernel milliseconds (cpu reference vs wasm) and training images/s per backend.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradients } from '@slt/backend';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const quick = args.includes('--quick');
const sizes = opt('sizes', quick ? '32,64' : '32,64,96').split(',').map(Number);
const batch = Number(opt('batch', '16'));
const steps = Number(opt('steps', quick ? '2' : '4'));
const backends = opt('backends', 'cpu,wasm').split(',');

/** CPU milliseconds of this process (user + system): steadier than wall time on a shared machine. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}


function rand(shape: number[]): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', 7);
}

async function timeKernel(kernel: string, inputs: Record<string, number[]>, attrs: Record<string, unknown>, reps: number): Promise<number> {
  const ins: Record<string, tf.Tensor> = {};
  for (const [k, s] of Object.entries(inputs)) ins[k] = rand(s);
  const run = () => {
    const o = tf.engine().runKernel(kernel, ins as never, attrs as never) as tf.Tensor;
    o.dataSync();
    o.dispose();
  };
  for (let i = 0; i < 3; i++) run();
  let ms = Infinity; // best of reps: the machine is shared, the minimum is the stable figure
  for (let i = 0; i < reps; i++) {
    const t0 = cpuMs();
    run();
    ms = Math.min(ms, cpuMs() - t0);
  }
  tf.dispose(Object.values(ins));
  return ms;
}

interface KCase { label: string; kernel: string; inputs: Record<string, number[]>; attrs: Record<string, unknown> }
// MobileNetV1-0.25 at 64 px, batch 16: representative layers.
const b = batch;
const kcases: KCase[] = [
  { label: 'conv1 3x3 s2 64px 3->8', kernel: 'Conv2DBackpropFilter', inputs: { x: [b, 65, 65, 3], dy: [b, 32, 32, 8] }, attrs: { strides: [2, 2], pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 3, 8] } },
  { label: 'pw 1x1 32px 8->16', kernel: 'Conv2DBackpropFilter', inputs: { x: [b, 32, 32, 8], dy: [b, 32, 32, 16] }, attrs: { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [1, 1, 8, 16] } },
  { label: 'pw 1x1 4px 128->128', kernel: 'Conv2DBackpropFilter', inputs: { x: [b, 4, 4, 128], dy: [b, 4, 4, 128] }, attrs: { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [1, 1, 128, 128] } },
  { label: 'dw 3x3 s1 32px c8', kernel: 'DepthwiseConv2dNativeBackpropFilter', inputs: { x: [b, 32, 32, 8], dy: [b, 32, 32, 8] }, attrs: { strides: [1, 1], pad: 'same', dilations: [1, 1], filterShape: [3, 3, 8, 1] } },
  { label: 'dw 3x3 s2 32px c16', kernel: 'DepthwiseConv2dNativeBackpropFilter', inputs: { x: [b, 33, 33, 16], dy: [b, 16, 16, 16] }, attrs: { strides: [2, 2], pad: 'valid', dilations: [1, 1], filterShape: [3, 3, 16, 1] } },
  { label: 'dw 3x3 s1 4px c128', kernel: 'DepthwiseConv2dNativeBackpropFilter', inputs: { x: [b, 4, 4, 128], dy: [b, 4, 4, 128] }, attrs: { strides: [1, 1], pad: 'same', dilations: [1, 1], filterShape: [3, 3, 128, 1] } },
  { label: 'dw 3x3 s1 32px c8', kernel: 'DepthwiseConv2dNativeBackpropInput', inputs: { dy: [b, 32, 32, 8], filter: [3, 3, 8, 1] }, attrs: { strides: [1, 1], pad: 'same', dilations: [1, 1], inputShape: [b, 32, 32, 8] } },
  { label: 'dw 3x3 s2 32px c16', kernel: 'DepthwiseConv2dNativeBackpropInput', inputs: { dy: [b, 16, 16, 16], filter: [3, 3, 16, 1] }, attrs: { strides: [2, 2], pad: 'valid', dilations: [1, 1], inputShape: [b, 33, 33, 16] } },
  { label: 'pw 1x1 32px 8->16', kernel: 'Conv2DBackpropInput', inputs: { dy: [b, 32, 32, 16], filter: [1, 1, 8, 16] }, attrs: { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', inputShape: [b, 32, 32, 8] } },
  { label: 'BN grad [1,1,1,32]->[16,16,16,32]', kernel: 'Tile', inputs: { x: [1, 1, 1, 32] }, attrs: { reps: [b, 16, 16, 1] } },
  { label: 'conv 3x3 s1 16px 32->32', kernel: 'Conv2DBackpropInput', inputs: { dy: [b, 16, 16, 32], filter: [3, 3, 32, 32] }, attrs: { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', inputShape: [b, 16, 16, 32] } },
];

/** MobileNetV1 (alpha 0.25) as keras.applications builds it, include_top=False, plus a small head. */
function mobilenet(size: number, alpha = 0.25, classes = 10): tf.LayersModel {
  const ch = (c: number) => Math.round(c * alpha);
  const input = tf.input({ shape: [size, size, 3] });
  let x = tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]] }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: ch(32), kernelSize: 3, strides: 2, padding: 'valid', useBias: false }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
  const blocks: Array<[number, number]> = [[64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1]];
  for (const [f, s] of blocks) {
    if (s === 2) x = tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]] }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: s, padding: s === 1 ? 'same' : 'valid', useBias: false }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.conv2d({ filters: ch(f), kernelSize: 1, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: classes }).apply(x) as tf.SymbolicTensor; // logits
  const model = tf.model({ inputs: input, outputs: out });
  return model;
}

let lastWall = 0;
async function trainSpeed(size: number): Promise<number> {
  const model = mobilenet(size);
  const xs = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1);
  const ys = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2) as tf.Tensor1D, 10);
  const opt = tf.train.adam(1e-4);
  // slt's fine-tune: BatchNorm in inference mode (moving statistics) while training.
  const step = () => tf.tidy(() => {
    opt.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: false }) as tf.Tensor));
  });
  step(); // warm-up
  step();
  let best = Infinity;
  let bestWall = Infinity;
  for (let i = 0; i < steps; i++) {
    const t0 = cpuMs();
    const w0 = performance.now();
    step();
    best = Math.min(best, (cpuMs() - t0) / 1000);
    bestWall = Math.min(bestWall, (performance.now() - w0) / 1000);
  }
  lastWall = batch / bestWall;
  if (args.includes('--profile') && tf.getBackend() === 'wasm') await profileStep(step);
  opt.dispose();
  tf.dispose([xs, ys]);
  model.dispose();
  return batch / best;
}

/** Prints the kernels of one training step by total time (nested kernels included). */
async function profileStep(step: () => void): Promise<void> {
  const info = await tf.profile(() => step());
  const byName = new Map<string, { ms: number; n: number }>();
  for (const k of info.kernels) {
    const e = byName.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += Number(k.kernelTimeMs) || 0;
    e.n += 1;
    byName.set(k.name, e);
  }
  const rows = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15);
  for (const [name, e] of rows) console.log(`  ${name.padEnd(40)} ${e.ms.toFixed(1).padStart(8)} ms  x${e.n}`);
}

console.log(`wasm-kernels bench: batch ${batch}, ${steps} timed steps, node ${process.version}`);
console.log('\nper-kernel CPU ms, best of reps (MobileNetV1-0.25 @64px layer shapes, batch ' + batch + '):');
const replaced = new Set(['Conv2DBackpropInput', 'Tile']);
const runKernels = !args.includes('--no-kernels');
// the wasm backend's own kernels first, for the ones slt replaces
const native = new Map<KCase, number>();
if (runKernels && backends.includes('wasm')) {
  await tf.setBackend('wasm');
  for (const c of kcases) if (replaced.has(c.kernel)) native.set(c, await timeKernel(c.kernel, c.inputs, c.attrs, 5));
}
registerWasmGradients();
console.log(['kernel', 'shape', ...backends.map((x) => `${x} ms`), 'tfjs wasm own ms'].join('\t'));
for (const c of runKernels ? kcases : []) {
  const row: string[] = [c.kernel, c.label];
  for (const be of backends) {
    await tf.setBackend(be);
    row.push((await timeKernel(c.kernel, c.inputs, c.attrs, be === 'cpu' ? 1 : 5)).toFixed(2));
  }
  row.push(native.has(c) ? native.get(c)!.toFixed(2) : 'missing');
  console.log(row.join('\t'));
}
console.log('\ntraining step (Adam, BatchNorm in inference mode, all layers trainable), batch ' + batch + ':');
for (const size of sizes) {
  const row = [`${size}px`];
  for (const be of backends) {
    await tf.setBackend(be);
    if (be === 'cpu' && size > 64 && !args.includes('--slow-cpu')) { row.push('cpu skipped (>64px; --slow-cpu)'); continue; }
    const cpu = await trainSpeed(size);
    row.push(`${be} ${cpu.toFixed(1)} img/s per CPU-second (wall ${lastWall.toFixed(1)})`);
  }
  console.log(row.join('\t'));
}
