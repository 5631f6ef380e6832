/**
 * @slt/tui: the terminal UI of slt. `start(argv)` runs it (the `slt-tui` bin and
 * `npx nx run tui:start`); the App and its reducer are exported for embedding and tests.
 */
export { start } from './main.js';
export { App } from './App.js';
export type { AppProps } from './App.js';
export { appReducer, initialAppState, LIVE_PANES } from './state/app.js';
export type { AppState, Action, Request, Screen, LivePane, FormState } from './state/app.js';
export { FIELD_KEYS, FORM_PRESETS, FORM_MODES, DEMO_DATA, presetValues, validateForm, fieldSpecs } from './state/form.js';
export type { FieldKey, FormPreset, FormValues, FormCheck, FieldSpec } from './state/form.js';
export { KEY_HELP, toKeyPress } from './state/keys.js';
export type { KeyPress } from './state/keys.js';
export { runPlain, plainProgress } from './plain.js';
export type { PlainOptions } from './plain.js';
export { launchFromForm, resolveData, LaunchError } from './effects/launch.js';
export { fitnessChart } from './view/chart.js';
export type { FitnessPoint } from './view/chart.js';
export { paretoFront, paretoPlot } from './view/pareto.js';
export type { ParetoPoint } from './view/pareto.js';
