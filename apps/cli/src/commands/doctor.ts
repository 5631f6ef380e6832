/**
 * `slt doctor`: what this machine can run: tfjs backends and GPU libraries (libs/backend's
 * doctor), MLflow reachability (libs/tracking), and the data, weights and search folders.
 */
import { access, constants, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { listGpuDevices } from '@slt/backend';
import { detectKind } from '@slt/datasets';
import { backendDoctor, checkTracking, defaultSearchRoot, formatBackendDoctor } from '@slt/runner';

/** One check of the report. */
interface Check {
  group: string;
  label: string;
  status: 'ok' | 'warn' | 'fail' | 'info';
  detail: string;
  fix?: string;
}

async function dataChecks(paths: string[]): Promise<Check[]> {
  const out: Check[] = [];
  for (const p of paths) {
    try {
      const kind = await detectKind(p);
      out.push({ group: 'data', label: p, status: 'ok', detail: `${path.resolve(p)}: a ${kind} data set` });
    } catch (err) {
      out.push({ group: 'data', label: p, status: 'fail', detail: (err as Error).message, fix: 'pass --data a Fashion-MNIST IDX folder, an UrbanSound8K root or class folders (see `slt data inspect`)' });
    }
  }
  return out;
}

async function folderCheck(label: string, dir: string): Promise<Check> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    return { group: 'folders', label, status: 'ok', detail: `${dir} is writable` };
  } catch (err) {
    return { group: 'folders', label, status: 'fail', detail: `${dir}: ${(err as Error).message}`, fix: 'choose another folder with --out / run from a writable folder' };
  }
}

/** Registers `slt doctor`. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('Check backends, GPU libraries, MLflow reachability and data paths')
    .option('--tracking-uri <uri>', 'MLflow tracking URI or folder to check (default MLFLOW_TRACKING_URI, else ./mlruns)')
    .option('--data <path...>', 'data set folders to check')
    .option('--weights <dir>', 'a weights folder (model.json + shards) to check')
    .option('--json', 'the report as one JSON object')
    .action(async (opts: { trackingUri?: string; data?: string[]; weights?: string; json?: boolean }) => {
      const backend = await backendDoctor();
      const tracking = await checkTracking(opts.trackingUri);
      const gpus = await listGpuDevices();
      const checks: Check[] = [
        {
          group: 'gpus', label: `devices (${gpus.source})`, status: 'info',
          detail: gpus.devices.length
            ? gpus.devices.map((d) => `${d.id}${d.name ? ` ${d.name}` : ''}`).join(', ') + ' (one worker per device; choose with --gpus)'
            : `none seen${gpus.problem ? ` (${gpus.problem})` : ''}`,
        },
        { group: 'tracking', label: `MLflow (${tracking.kind})`, status: tracking.ok ? 'ok' : 'warn', detail: tracking.detail, ...(tracking.ok ? {} : { fix: 'start the server or fix --tracking-uri; searches go on and `slt sync` delivers later' }) },
        ...(await dataChecks(opts.data ?? [])),
        await folderCheck('searches', defaultSearchRoot()),
      ];
      if (opts.weights) {
        const file = path.join(path.resolve(opts.weights), 'model.json');
        try {
          await access(file, constants.R_OK);
          checks.push({ group: 'data', label: 'weights', status: 'ok', detail: `${file} is readable` });
        } catch {
          checks.push({ group: 'data', label: 'weights', status: 'fail', detail: `${file} is missing`, fix: 'pass --weights a folder holding model.json and its shards' });
        }
      }
      const failed = backend.loadable.length === 0 || checks.some((c) => c.status === 'fail');
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ok: !failed, backend, tracking, gpus, checks })}\n`);
      } else {
        process.stdout.write(`${formatBackendDoctor(backend).trimEnd()}\n\n`);
        for (const c of checks) {
          process.stdout.write(`[${c.status.padEnd(4)}] ${c.group}: ${c.label}: ${c.detail}\n${c.fix ? `       fix: ${c.fix}\n` : ''}`);
        }
      }
      if (failed) process.exitCode = 1;
    });
}
