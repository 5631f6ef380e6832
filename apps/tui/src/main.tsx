/**
 * Entry of the terminal UI (`npx nx run tui:start`, `slt-tui`): parses the arguments, then draws
 * the App on a terminal or prints a plain progress log without one.
 *
 * Only the argument parsing is loaded up front (as apps/cli's main.ts does): `--help` and a bad
 * flag answer before any lib; the screens load `@slt/runner/light` and Ink, never tfjs (the zoo's
 * model names are loaded in the background when the form is first shown, see useZooNames).
 */
import { parseArgs } from 'node:util';
import { FIELD_KEYS, FORM_PRESETS, type FieldKey, type FormPreset } from './state/fields.js';

const USAGE = `usage: slt-tui [--root DIR] [--attach SEARCH] [--plain] [--launch] [--preset "quick demo"|paper|elitist]
              [--model M] [--data DIR] [--input HxW] [--population N] [--generations N] [--epochs N]
              [--batch N] [--seed N] [--workers N] [--backend B] [--tracking-uri URI]
              [--genes layers|weighted|blocks] [--adapter conv1x1|repeat|conv1x1-frozen] [--prune none|median]
Without a TTY (or with --plain) it prints a plain progress log: of --attach, of a --launch'ed
search, or of the newest live one. Quitting never stops a search; reopen to re-attach.`;

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Starts the terminal UI and resolves to the exit code when it is closed. */
export async function start(argv: string[]): Promise<number> {
  const fieldOptions = Object.fromEntries(FIELD_KEYS.map((k) => [kebab(k), { type: 'string' as const }]));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: false, strict: true,
      options: { ...fieldOptions, root: { type: 'string' }, attach: { type: 'string' }, plain: { type: 'boolean' }, launch: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    process.stderr.write(`slt-tui: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const o = parsed.values as Record<string, string | boolean | undefined>;
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const preset = (o.preset as string | undefined) ?? 'quick demo';
  if (!(FORM_PRESETS as readonly string[]).includes(preset)) {
    process.stderr.write(`slt-tui: --preset ${JSON.stringify(preset)}: expected one of ${FORM_PRESETS.map((p) => JSON.stringify(p)).join(', ')}\n`);
    return 2;
  }
  const { defaultSearchRoot, exitOnClosedPipe, locateSearch } = await import('@slt/runner/light');
  const { presetValues } = await import('./state/form.js');
  const values = { ...presetValues(preset as FormPreset) };
  for (const k of FIELD_KEYS) if (k !== 'preset' && typeof o[kebab(k)] === 'string') values[k as FieldKey] = o[kebab(k)] as string;
  const root = typeof o.root === 'string' ? o.root : defaultSearchRoot();
  const attach = typeof o.attach === 'string' ? o.attach : undefined;

  if (o.plain || !process.stdout.isTTY || !process.stdin.isTTY) {
    // `slt-tui --plain | head`: a closed pipe ends the log quietly.
    exitOnClosedPipe();
    const { runPlain } = await import('./plain.js');
    const ctl = new AbortController();
    const stop = () => ctl.abort();
    process.once('SIGINT', stop);
    try {
      return await runPlain({ root, attach, launch: o.launch ? values : undefined, signal: ctl.signal });
    } catch (err) {
      process.stderr.write(`slt-tui: ${(err as Error).message}\n`);
      return 1;
    } finally {
      process.off('SIGINT', stop);
    }
  }
  const { initialAppState } = await import('./state/app.js');
  let initial = initialAppState({ preset: preset as FormPreset, values });
  if (attach) {
    try {
      const loc = locateSearch(attach, root);
      initial = initialAppState({ preset: preset as FormPreset, values, attach: { id: attach, dir: loc.dir } });
    } catch (err) {
      process.stderr.write(`slt-tui: --attach ${attach}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  const [{ render }, { createElement }, { App }] = await Promise.all([import('ink'), import('react'), import('./App.js')]);
  const app = render(createElement(App, { root, initial }));
  await app.waitUntilExit();
  return 0;
}
