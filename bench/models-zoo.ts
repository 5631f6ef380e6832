/**
 * Zoo, weights and task-model costs on the cpu backend:
 *   build       createTaskModel at 32x32x1, 10 classes (layers + weight initialisation), per model
 *   load        loadWeights of ../shared/data/models/mobilenet_v1_0.25_224 (read + decode 55 shards)
 *   apply       applyWeights(backbone layers, WeightSet): putting pretrained weights on a built model
 *               (once per worker; the trainer itself resets each genome from an in-memory snapshot)
 *   forward     inference images/s of the MobileNetV1-0.25 task model at 32, 64, 96 px (batch 32)
 * Run: npx tsx bench/models-zoo.ts
 */
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { applyWeights, createTaskModel, loadWeights } from '@slt/models';

const modelDir = resolve(import.meta.dirname, '..', '../shared/data/models/mobilenet_v1_0.25_224');

function ms(t0: number): number {
  return performance.now() - t0;
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  console.log(`backend ${tf.getBackend()}`);

  for (const model of ['mobilenet_v1_0.25', 'mobilenet_v1', 'vgg16', 'resnet50', 'efficientnet_b0']) {
    const t0 = performance.now();
    const task = createTaskModel({ model, inputShape: [32, 32, 1], classes: 10 });
    const built = ms(t0);
    const { total } = task.countParams();
    console.log(`build     ${model.padEnd(18)} ${built.toFixed(0).padStart(6)} ms  (${task.genomeLength} layers, ${total.toLocaleString('en-US')} params)`);
    task.dispose();
  }

  const loads: number[] = [];
  let weights = await loadWeights(modelDir);
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    weights = await loadWeights(modelDir);
    loads.push(ms(t0));
  }
  console.log(`load      mobilenet_v1_0.25 weights from disk: median ${median(loads).toFixed(1)} ms (5 runs)`);

  const task = createTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 10, weights });
  const resets: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    applyWeights(task.backboneLayers, weights);
    resets.push(ms(t0));
  }
  console.log(`apply     mobilenet_v1_0.25 applyWeights from WeightSet: median ${median(resets).toFixed(2)} ms (20 runs)`);
  task.dispose();

  for (const px of [32, 64, 96]) {
    const t = createTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [px, px, 3], classes: 10, weights });
    const x = tf.randomUniform([32, px, px, 3], -1, 1);
    tf.tidy(() => (t.model.predict(x) as tf.Tensor).dataSync()); // warm-up
    const runs = 3;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) tf.tidy(() => (t.model.predict(x) as tf.Tensor).dataSync());
    const secs = ms(t0) / 1000;
    console.log(`forward   mobilenet_v1_0.25 ${String(px).padStart(3)} px: ${((runs * 32) / secs).toFixed(1)} img/s (batch 32)`);
    x.dispose();
    t.dispose();
  }
  console.log(`tensors left: ${tf.memory().numTensors}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

await main();
