import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@slt/backend';
import { zooTaskModel } from './zoo-task-model.js';
import { createLocalEvaluator } from './evaluator.js';
import { fashionSplits, MOBILENET_025 } from './testing.js';
const be = process.argv[2] ?? 'wasm';
const size = Number(process.argv[3] ?? 32);
await selectBackend({ prefer: be as 'wasm' });
const task = await zooTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [size, size, 1], classes: 10, adapter: (process.argv[4] ?? 'conv1x1') as 'repeat', weights: MOBILENET_025 });
console.log(task.genomeLayers.length, task.model.layers.length, task.headLayers, task.adapterLayers);
const ev = createLocalEvaluator(task, fashionSplits(0));
const before = tf.memory().numTensors;
const g = '0'.repeat(40) + '1'.repeat(ev.genomeLength - 40);
for (const [reuse, gg] of [[true, g], [false, g], [true, '1'.repeat(ev.genomeLength)]] as const) {
  const r = await ev.evaluate(gg, { epochs: Number(process.argv[5] ?? 2), prefixReuse: reuse });
  console.log(JSON.stringify(r));
  console.log('tensors', before, tf.memory().numTensors);
}
