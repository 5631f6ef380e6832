import type { Command } from 'commander';
import { registerData } from './data.js';
import { registerFeatures } from './features.js';
import { registerModels } from './models.js';
import { registerSync } from './sync.js';

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
];
