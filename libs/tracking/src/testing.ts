/**
 * `@slt/tracking/testing`: test doubles for tests and benchmarks (not part of the library's
 * runtime API). The MLflow test server answers like MLflow 3.4+ (including its metric-history
 * answer without `max_results`, mlflow#23916) with fault injection.
 */
export { startMlflowTestServer } from './testing/mlflow-test-server.js';
export type { MlflowTestServer, MlflowTestServerOptions } from './testing/mlflow-test-server.js';
