/**
 * The small interface both MLflow back ends implement: the REST client (a tracking server)
 * and the FileStore (`./mlruns` on disk). Delivery and the contract tests use only this.
 */
import type { KeyValue, LogBatch, MetricPoint } from '../mlflow/validation.js';
import type { RunDatasetInput } from '../delivery/ops.js';

/** An experiment as MLflow describes it. */
export interface ExperimentInfo {
  /** MLflow experiment id. */
  experimentId: string;
  /** Unique name. */
  name: string;
  /** Where runs of the experiment put artifacts. */
  artifactLocation: string;
  /** `active` or `deleted`. */
  lifecycleStage: string;
}

/** A run's info (MLflow RunInfo). */
export interface RunInfo {
  /** MLflow run id (32 hex characters). */
  runId: string;
  /** Experiment of the run. */
  experimentId: string;
  /** Run name. */
  runName: string;
  /** RUNNING, SCHEDULED, FINISHED, FAILED or KILLED. */
  status: string;
  /** ms since the epoch. */
  startTime: number;
  /** ms since the epoch, when ended. */
  endTime?: number;
  /** Root URI of the run's artifacts (`mlflow-artifacts:/...`, `file:///...`). */
  artifactUri: string;
  /** `active` or `deleted`. */
  lifecycleStage: string;
}

/** A run with its data (latest value per metric key, as MLflow returns it). */
export interface Run {
  /** The run's info. */
  info: RunInfo;
  /** Params. */
  params: Record<string, string>;
  /** Tags. */
  tags: Record<string, string>;
  /** Latest metric point per key. */
  metrics: MetricPoint[];
}

/** What creating a run takes. */
export interface CreateRunRequest {
  /** Experiment to create the run in. */
  experimentId: string;
  /** Run name (`mlflow.runName`). */
  runName: string;
  /** Start time, ms since the epoch. */
  startTime: number;
  /** Initial tags. */
  tags: KeyValue[];
  /** MLflow `user_id` (optional, deprecated upstream in favour of the mlflow.user tag). */
  userId?: string;
}

/** An MLflow tracking back end. Every method may throw `StoreError` or `MlflowRequestError`. */
export interface TrackingStore {
  /** Human-readable target, e.g. `http://127.0.0.1:5000` or `file:///work/mlruns`. */
  readonly target: string;
  /** The experiment named `name`, or undefined when there is none. */
  getExperimentByName(name: string): Promise<ExperimentInfo | undefined>;
  /** Creates an experiment; `RESOURCE_ALREADY_EXISTS` when the name is taken. Returns its id. */
  createExperiment(name: string): Promise<string>;
  /** Creates a run. */
  createRun(request: CreateRunRequest): Promise<RunInfo>;
  /** A run; `RESOURCE_DOES_NOT_EXIST` when unknown. */
  getRun(runId: string): Promise<Run>;
  /** Runs of the experiments matching an MLflow filter such as ``tags.`slt.run_key` = 'a'``. */
  searchRuns(experimentIds: string[], filter: string): Promise<Run[]>;
  /** Logs at most 1000 metrics, 100 params and 100 tags at once (see `chunkLogBatch`). */
  logBatch(runId: string, batch: LogBatch): Promise<void>;
  /** Sets one tag. */
  setTag(runId: string, key: string, value: string): Promise<void>;
  /** Sets the run's status and end time. */
  updateRun(runId: string, status: string, endTime?: number): Promise<RunInfo>;
  /** Every logged point of one metric key. */
  getMetricHistory(runId: string, key: string): Promise<MetricPoint[]>;
  /** Logs dataset inputs of a run (idempotent: a dataset with the same name and digest is stored once per run). */
  logInputs(run: RunInfo, datasets: RunDatasetInput[]): Promise<void>;
  /** Writes an artifact file under the run's artifact root. */
  logArtifact(run: RunInfo, path: string, content: Uint8Array): Promise<void>;
}
