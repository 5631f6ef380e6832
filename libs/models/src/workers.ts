/**
 * `@slt/models/workers`: starting the pool's worker processes without loading tfjs, so that a
 * command can start them first thing (each worker's own start, Node + tfjs + its backend, is about
 * 1 s of a core) and load the rest of the search (tfjs, the zoo, the data) meanwhile. The full
 * entry (`./index.ts`) exports the same. Everything here must stay free of tfjs imports
 * (test/src/early-workers.test.ts checks that `slt search` spawns its workers before tfjs loads).
 */
export { startWorkers } from './pool/spawn.js';
export type { StartedWorkers } from './pool/spawn.js';
