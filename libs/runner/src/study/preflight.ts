/**
 * A study's preflight: every model must be known and have its weights (checked, downloaded into
 * the cache when needed), and the data set must exist, before any folder, journal or MLflow run
 * of the study is created. Every problem is reported at once, each naming its model.
 */
import { existsSync } from 'node:fs';
import { checkWeightsPort, describeModel } from '../ports/models.js';
import { resolveTrackingUriPort } from '../ports/tracking.js';
import type { StudyConfig } from './config.js';
import { StudyPreflightError } from './errors.js';

/**
 * Checks what a study needs before it writes anything.
 * @throws StudyPreflightError listing each model without weights (and how to get them), each unknown model, a missing data set or a bad tracking URI.
 */
export async function preflightStudy(config: StudyConfig): Promise<void> {
  const problems: { label: string; message: string }[] = [];
  if (!existsSync(config.base.data)) problems.push({ label: 'data', message: `${config.base.data}: no such file or folder` });
  try {
    resolveTrackingUriPort(config.base.trackingUri);
  } catch (err) {
    problems.push({ label: 'trackingUri', message: (err as Error).message });
  }
  for (const m of config.models) {
    try {
      describeModel(m.model);
      await checkWeightsPort(m.model, m.weights);
    } catch (err) {
      problems.push({ label: `model ${m.label}`, message: (err as Error).message });
    }
  }
  if (problems.length) throw new StudyPreflightError(problems);
}
