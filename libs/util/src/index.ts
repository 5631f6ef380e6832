/**
 * @slt/util: the small pieces every other lib shares, so each has one home: atomic file writes,
 * the lock file, the seeded random source, and mask (genome) checks. Depends on no other @slt lib.
 */
export { UtilArgumentError, UtilError } from './errors.js';
export { copyFileAtomic, removeStaleTemps, tempPathFor, writeFileAtomic, writeFileAtomicSync, type AtomicWriteOptions } from './atomic.js';
export { deriveSeed, Rng, type RngState } from './random.js';
export { countSetBits, maskProblem } from './mask.js';
export { acquireFileLock, isProcessAlive, LockHeldError, readLockOwner, type FileLockOptions, type LockOwner } from './lock.js';
