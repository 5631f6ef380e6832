import type { Command } from 'commander';
import { registerData } from './data.js';
import { registerFeatures } from './features.js';
import { registerModels } from './models.js';
import { registerSync } from './sync.js';
import { registerSearch } from './search.js';
import { registerBaselines } from './baselines.js';
import { registerCompare } from './compare.js';
import { registerResume } from './resume.js';
import { registerLs } from './ls.js';
import { registerAttach } from './attach.js';
import { registerDoctor } from './doctor.js';
import { registerCache } from './cache.js';

/** A sub-command module: adds its command(s) to the program. */
export type RegisterCommand = (program: Command) => void;

/**
 * Every sub-command of `slt`, in help order. Each module owns its command's flags, validation
 * and output, and calls only the public API (`index.ts`) of the libs.
 */
export const COMMANDS: RegisterCommand[] = [
  registerData,
  registerFeatures,
  registerModels,
  registerSync,
  registerSearch, registerBaselines, registerCompare, registerResume, registerLs, registerAttach, registerDoctor,
  registerCache,
];
