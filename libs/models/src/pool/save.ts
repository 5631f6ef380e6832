/** Saving an evaluated genome's weights (worker process or in process), when the pool was asked to. */
import { saveEvaluatedModel, type SaveModelRequest } from '../export/saved-model.js';
import { TrainingInputError } from '../training/errors.js';
import type { EvaluationResult, TrainableTaskModel } from '../training/types.js';
import { getModelInfo } from '../zoo/table.js';
import type { TaskModelSource } from './protocol.js';

/** Writes the task model as trained by the last evaluation to `req.dir` (nothing for a failed evaluation or no request). */
export async function saveIfAsked(task: TrainableTaskModel, source: TaskModelSource, imageShape: readonly number[], genome: string, result: EvaluationResult, req: SaveModelRequest | undefined): Promise<void> {
  if (!req || result.error !== undefined) return;
  if (source.kind !== 'zoo') throw new TrainingInputError('saveModel', source.kind, "a 'zoo' task model (its input range is known)");
  await saveEvaluatedModel(task.model, source.options.model, getModelInfo(source.options.model).inputRange, [...imageShape], genome, result.testAccuracy, req);
}
