import { selectBackend } from '@slt/backend';
import { zooTaskModel } from './zoo-task-model.js';
import { createLocalEvaluator } from './evaluator.js';
import { fashionSplits, MOBILENET_025 } from './testing.js';
await selectBackend({ prefer: 'cpu' });
const task = await zooTaskModel({ model: 'mobilenet_v1_0.25', inputShape: [32, 32, 1], classes: 10, adapter: 'repeat', weights: MOBILENET_025 });
const ev = createLocalEvaluator(task, fashionSplits(0, [4, 1, 1], 6), { batchSize: 8 });
const g = '0'.repeat(43) + '1'.repeat(43);
for (const reuse of [true, false, true, false]) {
  const times: number[] = [];
  let t = performance.now();
  const r = await ev.evaluate(g, { epochs: 1, prefixReuse: reuse, onBatch: () => { const n = performance.now(); times.push(Math.round(n - t)); t = n; } });
  console.log(reuse, r.prefixReused, times, process.cpuUsage().user / 1e6);
}
