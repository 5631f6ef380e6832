/**
 * The form's field keys, presets and modes as plain constants (no imports): `slt-tui --help` and
 * the argument parsing need only these, before any lib is loaded.
 */

/** Keys of the form's fields, in display order. */
export const FIELD_KEYS = [
  'preset', 'model', 'data', 'input', 'population', 'generations', 'epochs', 'batch', 'seed', 'workers', 'backend', 'trackingUri', 'mode', 'models', 'audioPreset',
  'weights', 'lr', 'experiment', 'genes', 'adapter', 'prune',
] as const;
/** A field key. */
export type FieldKey = (typeof FIELD_KEYS)[number];

/** Form presets. `quick demo` uses the cached demo assets; `paper`/`elitist` pick the GA preset. */
export const FORM_PRESETS = ['quick demo', 'paper', 'elitist'] as const;
/** A form preset. */
export type FormPreset = (typeof FORM_PRESETS)[number];

/** What a launch runs: the GA, the baselines only, or both with the comparison table. */
export const FORM_MODES = ['search', 'baselines', 'compare'] as const;

/** The data value that stands for the quick demo's cached Fashion-MNIST subset. */
export const DEMO_DATA = 'demo:fashion-mnist-900';
