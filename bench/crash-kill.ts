/**
 * kill -9 / resume experiment: a tiny seeded search (MobileNetV1-0.25, 32 px, 4 x 2, 1 epoch,
 * one pool worker) is killed (process group, SIGKILL) once per trial, at a spread-out moment
 * (even trials: a random time during the run) or aimed right after the k-th journal record lands
 * (odd trials: k spread over the journal), then `slt resume` runs it to the end and `slt sync`
 * delivers; the result is compared with an uninterrupted run of the same seed.
 *
 *     npx tsx bench/crash-kill.ts [--trials 20] [--seed 7] [--keep DIR]
 *
 * Prints one line per trial and a summary: trials, identical results, exact FileStores, lost and
 * duplicated evaluations, leftover lock/temp files.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, uptime, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compareResults, exited, journalLines, journalOf, killGroup, leftovers, readResult, spawnSlt, until } from '../test/src/crash.js';
import { readRecords, sharedData, smallSearchFlags } from '../test/src/helpers.js';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '20' }, seed: { type: 'string', default: '7' }, keep: { type: 'string' } } });
const trials = Number(values.trials);
const data = path.join(sharedData, 'fashion-mnist-900');
const flags = (out: string) => smallSearchFlags(data, ['--workers', '1', '--seed', String(values.seed), '--out', out]);

async function runToEnd(args: string[], cwd: string): Promise<{ code: number | string; ms: number; err: string }> {
  const t0 = Date.now();
  const child = spawnSlt(args, cwd);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  const code = await exited(child);
  return { code, ms: Date.now() - t0, err };
}

const base = values.keep ?? (await mkdtemp(path.join(tmpdir(), 'slt-crash-kill-')));
console.log(`# kill -9 experiment in ${base}; load ${loadavg().map((x) => x.toFixed(1)).join(' ')} (up ${Math.round(uptime())} s)`);
const refCwd = path.join(base, 'ref');
await import('node:fs/promises').then((fs) => fs.mkdir(refCwd, { recursive: true }));
const ref = await runToEnd(['search', ...flags('s')], refCwd);
if (ref.code !== 0) throw new Error(`reference search failed (${ref.code}): ${ref.err.slice(-2000)}`);
const refResult = readResult(journalOf(path.join(refCwd, 's')), path.join(refCwd, 'mlruns'));
const refLines = journalLines(journalOf(path.join(refCwd, 's')));
console.log(`# reference: ${refResult.evaluations.length} evaluations, ${refLines} journal records, ${Object.keys(refResult.store).length} MLflow runs, ${(ref.ms / 1000).toFixed(1)} s`);

// Spread kills aim at a fraction of how long a search takes now (the load changes): the estimate
// follows the observed durations (kill time + time of the resume to the end).
let estimateMs = ref.ms;
const rows: Array<{ trial: number; how: string; killedAt: number; effective: boolean; identical: boolean; exact: boolean; lost: number; duplicated: number; leftovers: number; resumes: number; notes: string }> = [];
for (let t = 0; t < trials; t++) {
  const cwd = path.join(base, `t${t}`);
  await import('node:fs/promises').then((fs) => fs.mkdir(cwd, { recursive: true }));
  const dir = path.join(cwd, 's');
  const child = spawnSlt(['search', ...flags('s')], cwd);
  child.stdout!.resume();
  child.stderr!.resume();
  let how: string;
  const t0 = Date.now();
  if (t % 2 === 0) {
    const at = 1500 + Math.round(((t / 2 + 0.5) / Math.ceil(trials / 2)) * Math.max(1000, 0.85 * estimateMs - 1500));
    how = `spread ${(at / 1000).toFixed(1)}s`;
    await Promise.race([new Promise((r) => setTimeout(r, at)), exited(child)]);
  } else {
    // Aimed: right after record k lands (k spread over the journal, the first records included).
    const k = 1 + Math.floor(((t - 1) / 2 / Math.max(1, Math.ceil(trials / 2) - 1)) * (refLines - 3));
    how = `after record ${k}`;
    await until(() => journalLines(journalOf(dir)) >= k, child, 2);
  }
  // Effective: the search was still running when the group was killed.
  const effective = child.exitCode === null && child.signalCode === null;
  killGroup(child);
  await exited(child);
  const killedMs = Date.now() - t0;
  const killedAt = journalLines(journalOf(dir));
  let resumes = 0;
  let last = { code: -1 as number | string, ms: 0, err: '' };
  for (let i = 0; i < 3; i++) {
    resumes++;
    // A kill before search.started leaves no search: start it again, as a user would.
    const started = readRecords(journalOf(dir)).some((r) => r.type === 'search.started');
    last = await runToEnd(started ? ['resume', dir] : ['search', ...flags('s')], cwd);
    if (last.code === 0) break;
  }
  estimateMs = 0.5 * estimateMs + 0.5 * (killedMs + last.ms);
  const sync = await runToEnd(['sync', dir], cwd);
  const got = readResult(journalOf(dir), path.join(cwd, 'mlruns'));
  const c = compareResults(refResult, got);
  const left = leftovers(dir);
  rows.push({
    trial: t, how, killedAt, effective, identical: c.identical, exact: c.exactStore, lost: c.lost, duplicated: c.duplicated, leftovers: left.length, resumes,
    notes: [last.code !== 0 ? `resume exit ${last.code}: ${last.err.slice(-300)}` : '', sync.code !== 0 ? `sync exit ${sync.code}` : '', ...c.differences.slice(0, 3), ...left].filter(Boolean).join('; '),
  });
  const r = rows[rows.length - 1];
  console.log(`trial ${t}: ${how} (journal had ${killedAt} records${effective ? '' : ', search had ended: no kill'}) -> identical ${r.identical}, exact FileStore ${r.exact}, lost ${r.lost}, duplicated ${r.duplicated}, leftovers ${r.leftovers}${r.notes ? ` | ${r.notes}` : ''}`);
  if (!values.keep) await rm(cwd, { recursive: true, force: true });
}
const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((a, r) => a + f(r), 0);
console.log(
  `# summary: ${rows.length} trials (${sum((r) => (r.effective ? 1 : 0))} killed mid-run), identical results ${sum((r) => (r.identical ? 1 : 0))}/${rows.length}, exact FileStores ${sum((r) => (r.exact ? 1 : 0))}/${rows.length}, ` +
    `lost evaluations ${sum((r) => r.lost)}, duplicated evaluations ${sum((r) => r.duplicated)}, leftover lock/tmp files ${sum((r) => r.leftovers)}; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`,
);
if (!values.keep) await rm(base, { recursive: true, force: true });
