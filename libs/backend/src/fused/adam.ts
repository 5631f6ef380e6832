/**
 * Adam with one fused kernel call per variable and step (tfjs' AdamOptimizer runs about ten
 * elementwise kernels per variable), and on wasm none: the step writes the moments over in place and
 * the new value into new data ({@link adamStep}). Same update as tfjs/Keras: m = b1 m + (1 - b1) g,
 * v = b2 v + (1 - b2) g^2, x -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 */
import * as tf from '@tensorflow/tfjs';
import { fusedKernelsEnabled } from './gradients.js';
import { adamStep, FUSED_KERNELS } from './kernels.js';

type NamedTensor = { name: string; tensor: tf.Tensor };

/** Adam over slt's fused `SltAdam` kernel (wasm, cpu). */
export class FusedAdamOptimizer extends tf.Optimizer {
  /** @nocollapse */
  static get className(): string {
    return 'SltFusedAdam';
  }
  private readonly moments = new Map<string, { m: tf.Variable; v: tf.Variable }>();
  private step = 0;

  constructor(
    private readonly learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-7,
  ) {
    super();
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const list = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor] as const)
      : Object.entries(variableGradients);
    this.step++;
    const attrs = {
      learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon,
      correction1: 1 - this.beta1 ** this.step, correction2: 1 - this.beta2 ** this.step,
    };
    const backend = tf.backend();
    for (const [name, gradient] of list) {
      if (gradient == null) continue;
      const x = tf.engine().registeredVariables[name]!;
      let mv = this.moments.get(name);
      if (!mv) {
        mv = tf.tidy(() => ({ m: tf.variable(tf.zerosLike(x), false), v: tf.variable(tf.zerosLike(x), false) }));
        this.moments.set(name, mv);
      }
      const { m, v } = mv;
      const next = adamStep(backend, x, m, v, gradient, attrs);
      if (next) {
        const t = tf.engine().makeTensorFromTensorInfo(next);
        x.assign(t);
        t.dispose();
        continue;
      }
      tf.tidy(() => {
        const [x2, m2, v2] = tf.engine().runKernel(FUSED_KERNELS.adam, { x, m, v, gradient } as unknown as tf.NamedTensorMap, attrs) as tf.Tensor[];
        x.assign(x2!);
        m.assign(m2!);
        v.assign(v2!);
      });
    }
    this.incrementIterations();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    return [...this.moments].flatMap(([name, { m, v }]) => [{ name: `${name}/m`, tensor: m }, { name: `${name}/v`, tensor: v }]);
  }

  override async setWeights(): Promise<void> {
    throw new Error('SltFusedAdam: setWeights is not supported (moments start at zero for each fine-tune)');
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  override dispose(): void {
    for (const { m, v } of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.moments.clear();
  }
}

/** Adam: the fused optimizer where the fused kernels run on the active backend, else tfjs' `tf.train.adam`. */
export function createAdam(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7): tf.Optimizer {
  return fusedKernelsEnabled() ? new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon) : tf.train.adam(learningRate, beta1, beta2, epsilon);
}
