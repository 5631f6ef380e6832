import type { Command } from 'commander';

/** A sub-command module: adds its command(s) to the program. */
export type RegisterCommand = (program: Command) => void;

/** One sub-command module: the top-level commands it registers, and how to load it. */
export interface CommandModule {
  /** Each top-level command the module registers -> the one-line summary `slt --help` lists. */
  commands: Record<string, string>;
  /** Imports the module (and through it the libs it needs) and returns its register function. */
  load: () => Promise<RegisterCommand>;
  /**
   * The command starts its worker processes before it loads tfjs (`loadRunner` of ../runner.ts),
   * so `main` does not load tfjs ahead of it; the module and what it imports statically must stay
   * free of tfjs (`@slt/runner/light`, not `@slt/runner`).
   */
  startsWorkers?: true;
}

/**
 * Every sub-command of `slt`, in help order. Each module owns its command's flags, validation
 * and output, and calls only the public API (`index.ts`) of the libs. Modules load on demand:
 * `slt --help` loads none, `slt <command>` loads only that command's module (see `main.ts`).
 */
export const COMMANDS: CommandModule[] = [
  { commands: { data: 'Inspect data set folders (IDX, UrbanSound8K, class folders)' }, load: async () => (await import('./data.js')).registerData },
  { commands: { features: "Compute a WAV file's log-mel image (librosa defaults) and print its shape and value range" }, load: async () => (await import('./features.js')).registerFeatures },
  { commands: { models: "List the model zoo, or show a task model's layers and parameter counts" }, load: async () => (await import('./models.js')).registerModels },
  { commands: { sync: 'Deliver the runs of a search journal to MLflow (server or ./mlruns); safe to repeat' }, load: async () => (await import('./sync.js')).registerSync },
  { commands: { search: "Search which layers to fine-tune with the paper's genetic algorithm" }, load: async () => (await import('./search.js')).registerSearch, startsWorkers: true },
  { commands: { baselines: 'Train the baselines: freeze all, train all, heuristic, random masks' }, load: async () => (await import('./baselines.js')).registerBaselines },
  { commands: { compare: 'Run the GA and the baselines and print the comparison table' }, load: async () => (await import('./compare.js')).registerCompare },
  { commands: { resume: 'Continue a killed or interrupted search; finished evaluations are not run again' }, load: async () => (await import('./resume.js')).registerResume },
  { commands: { ls: 'List searches (live ones marked)' }, load: async () => (await import('./ls.js')).registerLs },
  { commands: { rm: 'Remove a search (its folder); its MLflow runs are left as they are' }, load: async () => (await import('./rm.js')).registerRm },
  {
    commands: {
      attach: 'Follow a running (or finished) search from its journal; Ctrl-C detaches, the search goes on',
      stop: 'Stop a running search cleanly (resumable with `slt resume`)',
      pause: 'Pause a running search after its running evaluations',
      continue: 'Continue a paused search',
    },
    load: async () => (await import('./attach.js')).registerAttach,
  },
  { commands: { predict: 'Classify images or sounds with the best model a search saved' }, load: async () => (await import('./predict.js')).registerPredict },
  { commands: { doctor: 'Check backends, GPU libraries, MLflow reachability and data paths' }, load: async () => (await import('./doctor.js')).registerDoctor },
  { commands: { cache: `Local cache of weights and data sets (${'$SLT_CACHE_DIR'} or ~/.cache/slt)` }, load: async () => (await import('./cache.js')).registerCache },
];
