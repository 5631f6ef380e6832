/**
 * `slt doctor`: what this machine can do, grouped by what a user asks: "Train here?" (the backend
 * a search WILL use, its fallbacks, the searches folder, data and weights given), "GPU?"
 * (tfjs-node-gpu, the CUDA 11.2 / cuDNN 8.1 libraries, devices: facts, not failures, on a machine
 * without a GPU) and "MLflow?" (the tracking server answers, or the FileStore is writable).
 * Exits 1 only on what blocks a search: no backend (or the one asked for) loads, the searches
 * folder is not writable, a --data or --weights given is unusable.
 */
import { access, constants, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { listGpuDevices, type DoctorCheck, type DoctorReport } from '@slt/backend';
import { detectKind } from '@slt/datasets';
import { backendDoctor, checkTracking, defaultSearchRoot } from '@slt/runner';

/** One line of the report. */
export interface DoctorLine {
  status: 'ok' | 'info' | 'warn' | 'fail';
  label: string;
  detail: string;
  fix?: string;
}

/** One question of the report, its answer and the lines behind it. */
export interface DoctorGroup {
  title: 'Train here?' | 'GPU?' | 'MLflow?';
  answer: string;
  /** True when something in this group blocks a search. */
  blocks: boolean;
  lines: DoctorLine[];
  /** Said once for the group (where the libraries were looked for, the one fix for them all). */
  notes: string[];
}

const line = (c: DoctorCheck, status: DoctorLine['status'] = c.status): DoctorLine => ({ status, label: c.label, detail: c.detail, ...(c.fix ? { fix: c.fix } : {}) });

/** "Train here?": the backend a search will use (auto: the first that loads of tensorflow, wasm, cpu), named. */
export function trainGroup(report: DoctorReport, prefer: string, extra: DoctorLine[]): DoctorGroup {
  const backends = report.checks.filter((c) => c.group === 'backends');
  const will = prefer === 'auto' ? report.loadable[0] : report.loadable.includes(prefer) ? prefer : undefined;
  const named = (b: string) => (b === 'tensorflow' ? backends.find((c) => c.id.startsWith('backend.tensorflow') && c.status === 'ok')?.label ?? 'tensorflow' : b);
  const fallbacks = report.loadable.filter((b) => b !== will);
  const blocked = extra.filter((l) => l.status === 'fail');
  let answer: string;
  if (!will) {
    answer = prefer === 'auto' ? 'no: no tfjs backend loads here' : `no: the backend asked for (${prefer}, from --backend or SLT_BACKEND) does not load here; loadable: ${report.loadable.join(', ') || 'none'}`;
  } else {
    answer = `${blocked.length ? 'not yet' : 'yes'}: searches train on ${named(will)}${prefer === 'auto' ? '' : ' (asked for)'}${fallbacks.length && prefer === 'auto' ? `; if it failed to load: ${fallbacks.join(', then ')}` : ''}`;
    if (blocked.length) answer += `; fix ${blocked.map((l) => l.label).join(', ')} first`;
  }
  // Optional packages that are absent are facts (info), not problems; tfjs-node-gpu is the GPU question's.
  const lines = backends.filter((c) => !(c.id === 'backend.tensorflow-gpu' && c.status === 'info')).map((c) => line(c, c.status === 'fail' && will ? 'warn' : c.status));
  return { title: 'Train here?', answer, blocks: !will || blocked.length > 0, lines: [...lines, ...extra], notes: [] };
}

/**
 * "GPU?": on a machine with no GPU and no tfjs-node-gpu, every missing library is a fact (info):
 * nothing there blocks a search. With a GPU or tfjs-node-gpu present, what is missing is a
 * warning (the search still trains on the CPU backends). Paths and fixes shared by the libraries
 * are said once.
 */
export function gpuGroup(report: DoctorReport, devices: { ids: string[]; source: string; problem?: string }): DoctorGroup {
  const gpu = report.checks.filter((c) => c.group === 'gpu');
  const pkg = gpu.find((c) => c.id === 'gpu.package');
  const wantsGpu = pkg?.status === 'ok' || devices.ids.length > 0;
  const gpuLoads = report.checks.some((c) => c.id === 'backend.tensorflow-gpu' && c.status === 'ok');
  const notes: string[] = [];
  const lines: DoctorLine[] = [];
  const libFixes = new Set<string>();
  let where: string | undefined;
  for (const c of gpu) {
    const m = / not found by (.*)$/.exec(c.detail);
    const detail = m ? `${c.detail.slice(0, m.index)} not found` : c.detail;
    if (m) where = m[1];
    const status = c.status === 'fail' ? (wantsGpu ? 'warn' : 'info') : c.status;
    // Without a GPU the answer says what a GPU would need: no fix per line.
    if (m && c.fix) {
      if (wantsGpu) libFixes.add(c.fix);
      lines.push({ status, label: c.label, detail });
    } else lines.push({ status, label: c.label, detail, ...(c.fix && status !== 'ok' && wantsGpu ? { fix: c.fix } : {}) });
  }
  lines.push({ status: 'info', label: `devices (${devices.source})`, detail: devices.ids.length ? `${devices.ids.join(', ')} (one worker per device; choose with --gpus)` : `none seen${devices.problem ? ` (${devices.problem})` : ''}` });
  if (where) notes.push(`the libraries were looked for with ${where.replace(' nor in ', ', in ').replace(' or ', ' and in ')}`);
  for (const f of libFixes) notes.push(`fix: ${f}`);
  const answer = gpuLoads
    ? `yes: tfjs-node-gpu loads${devices.ids.length ? ` and sees ${devices.ids.length} device(s)` : ''}`
    : wantsGpu
      ? 'not usable yet: what is missing is listed below (searches train on the CPU backends meanwhile)'
      : 'no GPU here: nothing to fix to train on the CPU; for an NVIDIA GPU slt needs @tensorflow/tfjs-node-gpu 4.22 with CUDA 11.2 and cuDNN 8.1 (Linux x64)';
  return { title: 'GPU?', answer, blocks: false, lines, notes };
}

/** "MLflow?": the tracking server answers, or the FileStore folder is writable (never blocks: runs are delivered later by `slt sync`). */
export function mlflowGroup(t: { ok: boolean; kind: string; target: string; detail: string }): DoctorGroup {
  const where = t.kind === 'file' ? `the FileStore ${t.target}` : `the tracking server ${t.target}`;
  return {
    title: 'MLflow?', blocks: false,
    answer: t.ok ? `yes: runs go to ${where}` : `not now: ${where} does not answer; searches still run and keep their runs in the journal (deliver later with: slt sync <id>)`,
    lines: [{ status: t.ok ? 'ok' : 'warn', label: t.kind === 'file' ? 'file store' : 'server', detail: t.detail, ...(t.ok ? {} : { fix: 'start the server or fix --tracking-uri / MLFLOW_TRACKING_URI' }) }],
    notes: [],
  };
}

async function dataLines(paths: string[]): Promise<DoctorLine[]> {
  const out: DoctorLine[] = [];
  for (const p of paths) {
    try {
      out.push({ status: 'ok', label: 'data', detail: `${path.resolve(p)}: a ${await detectKind(p)} data set` });
    } catch (err) {
      out.push({ status: 'fail', label: 'data', detail: (err as Error).message, fix: 'pass --data a Fashion-MNIST IDX folder, an UrbanSound8K root or class folders (see `slt data inspect`)' });
    }
  }
  return out;
}

async function folderLine(dir: string): Promise<DoctorLine> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    return { status: 'ok', label: 'searches folder', detail: `${dir} is writable` };
  } catch (err) {
    return { status: 'fail', label: 'searches folder', detail: (err as Error).message, fix: 'run from a writable folder, or set --out / SLT_HOME to one' };
  }
}

/** The report as text: each question, its answer, then its lines. */
export function formatDoctor(header: string, groups: DoctorGroup[]): string {
  const out = [header];
  for (const g of groups) {
    out.push('', `${g.title}  ${g.answer}`);
    const w = Math.max(...g.lines.map((l) => l.label.length));
    for (const l of g.lines) {
      out.push(`  ${l.status.padEnd(4)}  ${l.label.padEnd(w)}  ${l.detail}`);
      if (l.fix && l.status !== 'ok') out.push(`  ${''.padEnd(4)}  ${''.padEnd(w)}  fix: ${l.fix}`);
    }
    for (const n of g.notes) out.push(`  ${n}`);
  }
  return `${out.join('\n')}\n`;
}

/** Registers `slt doctor`. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('Can this machine train (which backend), use a GPU, reach MLflow? Exit 1 only on what blocks a search')
    .option('--tracking-uri <uri>', 'MLflow tracking URI or folder to check (default MLFLOW_TRACKING_URI, else ./mlruns)')
    .option('--data <path...>', 'data set folders to check')
    .option('--weights <dir>', 'a weights folder (model.json + shards) to check')
    .option('--backend <name>', 'the backend a search would ask for: auto | tensorflow | wasm | cpu (default SLT_BACKEND, else auto)')
    .option('--json', 'the report as one JSON object')
    .action(async (opts: { trackingUri?: string; data?: string[]; weights?: string; backend?: string; json?: boolean }) => {
      const prefer = (opts.backend ?? process.env.SLT_BACKEND ?? 'auto').trim().toLowerCase() || 'auto';
      const [report, tracking, gpus] = await Promise.all([backendDoctor(), checkTracking(opts.trackingUri), listGpuDevices()]);
      const extra = [await folderLine(defaultSearchRoot()), ...(await dataLines(opts.data ?? []))];
      if (opts.weights) {
        const file = path.join(path.resolve(opts.weights), 'model.json');
        extra.push(await access(file, constants.R_OK).then(
          () => ({ status: 'ok' as const, label: 'weights', detail: `${file} is readable` }),
          () => ({ status: 'fail' as const, label: 'weights', detail: `${file} is missing`, fix: 'pass --weights a folder holding model.json and its shards' }),
        ));
      }
      const groups = [
        trainGroup(report, prefer, extra),
        gpuGroup(report, { ids: gpus.devices.map((d) => `${d.id}${d.name ? ` ${d.name}` : ''}`), source: gpus.source, ...(gpus.problem ? { problem: gpus.problem } : {}) }),
        mlflowGroup(tracking),
      ];
      const blocked = groups.some((g) => g.blocks);
      if (opts.json) {
        const will = prefer === 'auto' ? report.loadable[0] : report.loadable.includes(prefer) ? prefer : null;
        process.stdout.write(`${JSON.stringify({ ok: !blocked, backend: will ?? null, prefer, groups, report, tracking, gpus })}\n`);
      } else {
        process.stdout.write(formatDoctor(`node ${report.node} (N-API ${report.napi ?? '?'}), ${report.platform}`, groups));
      }
      if (blocked) process.exitCode = 1;
    });
}
