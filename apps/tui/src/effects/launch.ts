/**
 * Starting a search: the quick demo's assets through `slt cache demo` (fetched on first use), then
 * `slt search ... --out <dir>` in its own detached session through the runner's spawnDetached, so
 * quitting the TUI or losing SSH leaves it running.
 */
import path from 'node:path';
import { execa } from 'execa';
import { flagArgs, launchDetached, sltBin, type Launched } from '@slt/runner/light';
import { detectKind } from '@slt/datasets';
import { DEMO_DATA } from '../state/form.js';

/** An error of launching, with the text to show. */
export class LaunchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LaunchError';
  }
}

/** The demo's data set (fetched into the cache on first use) replaces the `demo:` data value; the demo's weights go with the demo's model only. */
export async function resolveData(flags: Record<string, string>, signal?: AbortSignal): Promise<Record<string, string>> {
  if (flags.data !== DEMO_DATA) {
    try {
      await detectKind(flags.data);
    } catch (cause) {
      throw new LaunchError(`data set ${flags.data}: ${(cause as Error).message}`, { cause });
    }
    return { ...flags, data: path.resolve(flags.data) };
  }
  const res = await execa(process.execPath, [sltBin(), 'cache', 'demo', '--json'], { reject: false, cancelSignal: signal });
  if (res.exitCode !== 0) {
    const err = String(res.stderr).split('\n').filter((l) => l.startsWith('slt: ')).pop() ?? String(res.stderr).trim();
    throw new LaunchError(err.replace(/^slt: /, '') || `slt cache demo failed (exit ${res.exitCode})`);
  }
  const assets = JSON.parse(String(res.stdout).trim().split('\n').pop()!) as { model: string; weights: string; data: string };
  // Only the data set is the demo's: the model chosen stays, and the demo's weights serve the
  // demo's model only (another model's weights come from --weights or the cache; the search names
  // what is missing).
  const out: Record<string, string> = { ...flags, model: flags.model ?? assets.model, data: assets.data };
  if (!flags.weights && out.model === assets.model) out.weights = assets.weights;
  return out;
}

/**
 * Starts `slt <mode>` detached with the form's `flags` (keys in camelCase) into `<root>/<new id>`,
 * through the runner's one detached launch (the same as `slt search --detach`).
 */
export function launchFromForm(flags: Record<string, string>, root: string, mode: 'search' | 'baselines' | 'compare' = 'search'): Launched {
  const { out: _out, mode: _mode, ...rest } = flags;
  return launchDetached({ command: mode, args: flagArgs(rest), root });
}
