/**
 * `slt search`: runs the paper's GA search from flags or a `--config` file (JSON/YAML), in this
 * process or detached (`--detach`). Also the helpers the other search commands share: the
 * search flags, Ctrl-C handling, progress on stderr and results on stdout.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import {
  ConfigError, JOURNAL_FILE, SearchInterruptedError, launchDetached, loadSearchConfig, startEvaluatorWorkers, workersChoiceOf, workersText, workersWarnings,
  type SearchConfig, type SearchEvent, type SearchState,
} from '@slt/runner/light';
import type { RunnerRecord, SearchOutcome, TrackingStatusEvent } from '@slt/runner';
import { loadRunner } from '../runner.js';
import { ProgressPrinter } from './attach.js';
import type { SearchJsonLineInput } from '../json-lines.js';

/** The `slt` bin, for detached children. */
export const SLT_BIN = fileURLToPath(new URL('../../bin/slt.js', import.meta.url));

/** The search commands; each shows and accepts only the flags of what it runs. */
export type SearchCommandName = 'search' | 'baselines' | 'compare';

/** Flags only the GA uses (not `slt baselines`). */
const GA_FLAGS = new Set(['--population', '--generations', '--preset', '--prune', '--prune-startup', '--prune-warmup']);
/** Flags only the baselines use (not `slt search`). */
const BASELINE_FLAGS = new Set(['--random-baselines']);

/** True when `command` takes the flag `flags` (e.g. `--population <n>`). */
export function commandTakesFlag(command: SearchCommandName, flags: string): boolean {
  const name = flags.split(' ')[0]!;
  if (command === 'search') return !BASELINE_FLAGS.has(name);
  if (command === 'baselines') return !GA_FLAGS.has(name);
  return true;
}

/** Flag name (kebab) -> config key, in help order. */
const FLAGS: [flags: string, help: string][] = [
  ['--model <name>', 'zoo name of the backbone (default mobilenet_v1_0.25)'],
  ['--weights <file|dir|url>', "ImageNet weights: a Keras .h5 file or URL (keras.applications' *_notop.h5), or a tfjs folder / model.json URL; default: what the cache holds for the model, else the zoo's official URL (slt models lists them)"],
  ['--data <path>', 'data set folder (Fashion-MNIST IDX, UrbanSound8K, or class folders)'],
  ['--data-kind <kind>', 'idx | urbansound8k | folders (detected when omitted)'],
  ['--input <HxW>', 'model input size, e.g. 32x32 (default 32x32)'],
  // Data settings (libs/runner config/audio.ts): audio features, channels, split size limits.
  ['--audio-preset <name>', "audio: the paper's settings, hospital-alarm (44.1 kHz, 3.6 s, repeat pad -> 128x311) | urbansound8k (22.05 kHz, 4 s -> 128x173); also sets --input and --channels 3; the flags below override it"],
  ['--sample-rate <hz>', "audio: resample to this rate in Hz (1000..384000), or 'native' (default 22050)"],
  ['--duration <s>', 'audio: clip length in seconds: trailing silence trimmed, then padded or cut (default 4 for UrbanSound8K, else the longest clip)'],
  ['--pad <mode>', 'audio: zero | repeat, how a shorter clip is filled (default zero)'],
  ['--trim', 'audio: trim trailing silence before fixing the length (the default when a duration applies)'],
  ['--no-trim', 'audio: keep trailing silence'],
  ['--n-fft <n>', 'audio: FFT size, a power of two (default 2048)'],
  ['--hop <n>', 'audio: hop between frames in samples, <= n-fft (default 512)'],
  ['--n-mels <n>', 'audio: mel bands, the image height (default 128)'],
  ['--channels <n>', 'image channels, 1 | 3 (default 1; 3 for colour images and the audio presets)'],
  ['--train-limit <n|f>', 'train on a seeded, stratified subset of the training split: N examples or a fraction in (0, 1) (default all)'],
  ['--val-limit <n|f>', 'the same for the validation split (default all)'],
  ['--test-limit <n|f>', 'the same for the test split (default all)'],
  ['--skip-unreadable', 'leave out files that cannot be read (corrupt, or folders/FIFOs/dangling links named like media files) with a warning naming them'],
  ['--no-skip-unreadable', 'fail on the first file that cannot be read (the default)'],
  ['--population <n>', 'GA population, a multiple of 4 (default 8)'],
  ['--generations <n>', 'generations (default 3)'],
  ['--epochs <n>', 'training epochs per genome (default 2)'],
  ['--batch <n>', 'batch size (default 32)'],
  ['--lr <x>', 'Adam learning rate (default 1e-4)'],
  ['--seed <n>', 'seed of GA, split and baselines (random and recorded when omitted)'],
  ['--preset <name>', 'paper | elitist (default paper)'],
  ['--workers <n>', 'worker processes evaluating genomes; 0 = in this process (default from the budget: 0 when the search trains at most 16 genome-epochs or on one core, else one per GPU in CUDA_VISIBLE_DEVICES or per core, at most the genomes evaluated at once)'],
  ['--backend <name>', 'auto | tensorflow | wasm | cpu (default auto)'],
  ['--gpus <ids>', 'GPU ids the workers are pinned to, e.g. 0,2,3 (worker i sees only one; default: CUDA_VISIBLE_DEVICES)'],
  ['--retries <n>', 'extra attempts of a failed evaluation, each in a fresh worker (default 1)'],
  ['--max-failures <n>', 'failed evaluations tolerated before the search stops with an error (default: a quarter of the budget)'],
  ['--tracking-uri <uri>', 'MLflow tracking URI or folder (default MLFLOW_TRACKING_URI, else ./mlruns)'],
  ['--experiment <name>', 'MLflow experiment (default MLFLOW_EXPERIMENT_NAME, else slt)'],
  ['--name <name>', 'run name of the search in MLflow'],
  ['--random-baselines <n>', 'random-mask baselines, >= 3 (default 3)'],
  ['--out <dir>', 'folder of the search (journal.jsonl, ...); default ./.slt/searches/<id>'],
  ['--genes <mode>', 'what a GA gene is: layers (one per layer, the paper) | weighted (only layers with weights) | blocks (one per block) (default layers)'],
  ['--adapter <kind>', '1-channel input to 3 channels: conv1x1 (trainable, the paper) | repeat | conv1x1-frozen (a repeat as a fixed 1x1 conv) (default conv1x1)'],
  ['--prune <rule>', 'none | median: stop a genome after an epoch below the median of earlier generations at that epoch (default none)'],
  ['--prune-startup <n>', '--prune median: completed genomes before any pruning (default 5)'],
  ['--prune-warmup <n>', '--prune median: epochs never pruned after (default 0)'],
];
const NUMERIC = new Set(['population', 'generations', 'epochs', 'batch', 'lr', 'seed', 'workers', 'randomBaselines', 'retries', 'maxFailures', 'pruneStartup', 'pruneWarmup']);
const keyOf = (flags: string) => flags.split(' ')[0].slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Options every search command parses. */
export interface SearchFlags extends Record<string, unknown> {
  config?: string;
  json?: boolean;
  detach?: boolean;
  searchId?: string;
}

/** Adds the flags of `command` to a command (`slt search` no baseline flags, `slt baselines` no GA flags). */
export function addSearchFlags(cmd: Command, command: SearchCommandName): Command {
  // The other command's flags stay accepted (a config or the TUI's form may carry them) but are
  // hidden from --help; given on the command line they are named as unused (see unusedFlags).
  for (const [flags, help] of FLAGS) cmd.addOption(commandTakesFlag(command, flags) ? new Option(flags, help) : new Option(flags, help).hideHelp());
  cmd.option('--config <file>', 'JSON or YAML file with the same keys (flags override it)');
  cmd.option('--json', 'results as JSON lines on stdout');
  cmd.option('--detach', 'run in the background (survives closing the terminal); follow with `slt attach`');
  cmd.addOption(new Option('--search-id <id>', 'id of the new search').hideHelp());
  return cmd;
}

/**
 * A numeric flag's value, or the problem with it: integers are written in digits (`--seed 1e3`
 * is refused, not read as 1000), decimals must be finite (`--lr NaN` is refused).
 */
export function parseNumberFlag(flag: string, raw: string, integer: boolean): number | string {
  const v = raw.trim();
  if (integer) {
    return /^[-+]?\d+$/.test(v) ? Number(v) : `${flag}: expected a whole number written in digits (e.g. 7), got '${raw}'`;
  }
  const n = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v) ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : `${flag}: expected a finite decimal number (e.g. 1e-4 or 0.001), got '${raw}'`;
}

/** The flags given that `command` does not use (`slt baselines --population 8`), as `--name` words. */
export function unusedFlags(command: SearchCommandName, cmd: Command): string[] {
  return FLAGS.map(([f]) => f).filter((f) => !commandTakesFlag(command, f) && cmd.getOptionValueSource(keyOf(f)) === 'cli').map((f) => f.split(' ')[0]!);
}

/** Warns on stderr about flags `command` does not use (they are ignored, not an error: a config may carry them). */
export function warnUnusedFlags(command: SearchCommandName, cmd: Command): void {
  const unused = unusedFlags(command, cmd);
  if (!unused.length) return;
  const what = command === 'baselines' ? 'GA flags; slt baselines runs no GA (slt compare runs both)' : 'baseline flags; slt search runs no baselines (slt compare runs both)';
  process.stderr.write(`slt ${command}: ignoring ${unused.join(', ')} (${what})\n`);
}

/**
 * Turns parsed flags into a validated config (numbers parsed; zod names any bad key) and says on
 * stderr how many workers evaluate genomes and why (chosen from the budget, or too many given).
 */
export async function configFromFlags(opts: SearchFlags, mode: SearchCommandName = 'search'): Promise<SearchConfig> {
  const config = await loadSearchConfig({ file: opts.config, flags: flagValues(opts), mode });
  const choice = workersChoiceOf(config);
  if (choice) process.stderr.write(`slt ${mode}: ${workersText(choice.workers, choice.reason)} (set --workers N to choose)\n`);
  else for (const w of workersWarnings(config, mode)) process.stderr.write(`slt ${mode}: warning: ${w}\n`);
  return config;
}

/** The config keys the flags set (numbers parsed), for `loadSearchConfig` / `loadStudyConfig`. */
export function flagValues(opts: SearchFlags): Record<string, unknown> {
  const flags: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [f] of FLAGS) {
    const key = keyOf(f);
    const v = opts[key];
    if (v === undefined) continue;
    if (NUMERIC.has(key) && typeof v === 'string') {
      const n = parseNumberFlag(f.split(' ')[0], v, key !== 'lr');
      if (typeof n === 'string') problems.push(n);
      else flags[key] = n;
    } else flags[key] = v;
  }
  if (problems.length) throw new ConfigError('flags', problems);
  return flags;
}

/** The argv of the same command for a detached child (config already resolved into flags). */
function childArgs(command: SearchCommandName, config: SearchConfig, extra: string[]): string[] {
  const args: string[] = [];
  for (const [f] of FLAGS) {
    if (!commandTakesFlag(command, f)) continue;
    const key = keyOf(f) as keyof SearchConfig;
    const v = key === 'out' ? undefined : config[key];
    if (v === undefined) continue;
    if (typeof v === 'boolean') {
      args.push(v ? f : `--no-${f.slice(2)}`); // --trim / --no-trim
      continue;
    }
    args.push(f.split(' ')[0], Array.isArray(v) ? v.join(key === 'gpus' ? ',' : 'x') : String(v));
  }
  return [...args, ...extra];
}

/**
 * Starts a search command detached: prints its id and folder and returns. The child is the same
 * `slt` command without `--detach`, writing into a folder fixed here.
 */
export function detach(command: SearchCommandName, config: SearchConfig, opts: SearchFlags, extra: string[] = []): void {
  // The runner's one detached launch (the TUI's form uses it too).
  const { searchId: id, dir, pid } = launchDetached({ command, args: childArgs(command, config, extra), out: config.out, searchId: opts.searchId, bin: SLT_BIN });
  if (opts.json) process.stdout.write(`${JSON.stringify({ type: 'detached', searchId: id, dir, journalPath: path.join(dir, JOURNAL_FILE), pid } satisfies SearchJsonLineInput)}\n`);
  else process.stdout.write(`search ${id} running in the background (pid ${pid})\n  folder: ${dir}\n  follow: slt attach ${dir}\n  stop:   slt stop ${dir}\n`);
}

/**
 * Runs `fn` with Ctrl-C handling: the first SIGINT/SIGTERM/SIGHUP aborts the search cleanly
 * (resumable), a second one exits at once (still resumable: the journal is fsync'd per record).
 */
export async function withInterrupts<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  let count = 0;
  const handler = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      process.stderr.write(`\nslt: ${sig}: stopping after abandoning the running evaluation (again to exit at once)\n`);
      ctl.abort(new Error(sig));
    } else {
      process.stderr.write(`slt: ${sig} again: exiting now; the search is resumable\n`);
      process.exit(130);
    }
  };
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of sigs) process.on(s, handler);
  try {
    return await fn(ctl.signal);
  } finally {
    for (const s of sigs) process.off(s, handler);
  }
}

/** Progress on stderr and JSON lines on stdout for a running search. */
export function makeReporter(json: boolean, initial?: SearchState): { onEvent: (e: SearchEvent) => void; onTracking: (e: TrackingStatusEvent) => void; done: () => void } {
  // `initial`: the journal so far (a resume shows its totals, best and generation, not a fresh count).
  const progress = new ProgressPrinter(process.stderr, initial);
  let retrying = false;
  return {
    // Delivery retries are visible: one line when MLflow stops answering, one when it answers again.
    onTracking: (e) => {
      if (json) process.stdout.write(`${JSON.stringify({ type: 'tracking', phase: e.phase, target: e.target, pendingRuns: e.pendingRuns, retries: e.retries, ...(e.lastError ? { lastError: e.lastError } : {}) } satisfies SearchJsonLineInput)}\n`);
      if (e.phase === 'retrying' && !retrying) {
        retrying = true;
        // The delivery's last error names the store once ("MLflow at URL is unreachable: ...").
        process.stderr.write(`slt: tracking: ${e.lastError ?? `${e.target} does not answer`}; retrying, ${e.pendingRuns} run(s) waiting\n`);
      } else if (retrying && (e.phase === 'idle' || e.phase === 'delivering')) {
        retrying = false;
        process.stderr.write(`slt: tracking: ${e.target} answers again after ${e.retries} retries\n`);
      }
    },
    onEvent: (e) => {
      progress.onEvent(e);
      if (json) {
        const line = jsonLine(e);
        if (line) process.stdout.write(`${JSON.stringify(line)}\n`);
      }
    },
    done: () => progress.close(),
  };
}

function jsonLine(e: SearchEvent): SearchJsonLineInput | undefined {
  const r = e as RunnerRecord; // other types: default
  switch (r.type) {
    case 'search.started': return { type: 'search', searchId: r.searchId, mode: r.mode, config: r.config, model: r.model.name, genomeLength: r.model.genomeLength, dataset: r.dataset };
    case 'eval.finished': return { type: 'evaluation', key: r.key, kind: r.kind, generation: r.generation, index: r.index, label: r.label, mask: r.mask, fitness: r.fitness, testAccuracy: r.result.testAccuracy, trainableLayers: r.result.trainableLayers, trainableParams: r.result.trainableParams, seconds: r.result.seconds, imagesPerSecond: r.result.imagesPerSecond, ...(r.result.error ? { error: r.result.error } : {}) };
    case 'eval.cached': return { type: 'cached', key: r.key, generation: r.generation, index: r.index, mask: r.mask, fitness: r.fitness };
    case 'generation.finished': return { type: 'generation', generation: r.generation, best: r.best, mean: r.mean, worst: r.worst, bestMask: r.bestMask, evaluations: r.evaluations, cacheHits: r.cacheHits };
    default: return undefined;
  }
}

/** Prints the end of a search (JSON line or text) and throws when it was interrupted. */
export function reportOutcome(out: SearchOutcome, json: boolean): void {
  const s: SearchState = out.state;
  const summary: SearchJsonLineInput = {
    type: 'result', searchId: out.searchId, status: out.status, dir: out.dir, journalPath: out.journalPath,
    best: s.best ?? null, population: s.finalPopulation ?? s.generations.at(-1)?.rows.map((r) => ({ mask: r.mask, fitness: r.fitness ?? null })) ?? [],
    evaluations: s.progress.done, cacheHits: s.progress.cacheHits, failures: s.progress.failures, retries: s.progress.retries, seconds: s.progress.elapsedSeconds,
    pendingRuns: out.pendingRuns, ...(out.trackingUri ? { trackingUri: out.trackingUri } : {}), ...(out.alreadyFinished ? { alreadyFinished: true } : {}),
  };
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else if (s.best) {
    process.stdout.write(`search ${out.searchId} ${out.status}: best val accuracy ${s.best.fitness.toFixed(4)} (test ${s.best.testAccuracy?.toFixed(4) ?? '-'}), ${s.best.trainableLayers} trainable layers, ${s.best.trainableParams?.toLocaleString('en-US') ?? '-'} trainable params\n  mask ${s.best.mask}\n  journal ${out.journalPath}\n`);
  } else process.stdout.write(`search ${out.searchId} ${out.status}\n  journal ${out.journalPath}\n`);
  if (!json && (s.progress.failures > 0 || s.progress.retries > 0)) {
    const failed = [...s.generations.flatMap((g) => g.rows), ...s.baselines].filter((r) => r.state === 'failed');
    process.stdout.write(`  failures ${s.progress.failures} (retries ${s.progress.retries})${failed.length ? `: ${failed.slice(0, 5).map((r) => `${r.label ?? r.key} (${r.error ?? 'failed'})`).join(', ')}` : ''}\n`);
  }
  if (out.pendingRuns > 0) {
    process.stderr.write(`slt: ${out.pendingRuns} MLflow run(s) not delivered to ${out.trackingUri ?? 'the tracking store'} yet; deliver them with: slt sync ${out.dir}\n`);
  }
  if (out.status === 'interrupted') throw new SearchInterruptedError(out.journalPath);
}

/** Registers `slt search`. */
export function registerSearch(program: Command): void {
  addSearchFlags(program.command('search').description("Search which layers to fine-tune with the paper's genetic algorithm"), 'search')
    .action(async (opts: SearchFlags, cmd: Command) => {
      warnUnusedFlags('search', cmd);
      const config = await configFromFlags(opts);
      if (opts.detach) return detach('search', config, opts);
      // The workers start (Node, tfjs, backend) while this process loads the runner and tfjs.
      const started = startEvaluatorWorkers(config);
      const { runSearch } = await loadRunner(started);
      const rep = makeReporter(!!opts.json);
      try {
        const out = await withInterrupts((signal) => runSearch(config, { signal, onEvent: rep.onEvent, onTracking: rep.onTracking, searchId: opts.searchId, mode: 'search', ...(started ? { started } : {}) }));
        rep.done();
        reportOutcome(out, !!opts.json);
      } finally {
        rep.done();
      }
    });
}
