import { Box } from 'ink';
import { FIELD_KEYS, fieldSpecs } from '../state/form.js';
import type { FormState } from '../state/app.js';
import { clip, wrapWords } from '../view/format.js';
import { Tx } from './theme.js';

/** Props of {@link SearchForm}. */
export interface SearchFormProps {
  form: FormState;
  models: string[];
  focused: boolean;
  width: number;
  /** Lines available (default: all fields); fewer shows a window of fields around the selected one. */
  height?: number;
  /** The budget's time estimate, shown under the Launch button (two lines at most). */
  estimate?: string;
}

/** Lines the estimate takes under the Launch button (at most; three on a narrow form). */
const ESTIMATE_LINES = 3;
/** Lines the form takes. */
export const FORM_LINES = FIELD_KEYS.length + 3 + ESTIMATE_LINES;

/** The new-search form: one line per field (choices in ‹ ›), errors marked ✗, a Launch button and the hint of the selected field. */
export function SearchForm({ form, models, focused, width, height, estimate }: SearchFormProps) {
  const specs = fieldSpecs(models);
  const labelW = 12;
  const selectedSpec = specs[form.index];
  const estLines = width < 70 ? ESTIMATE_LINES : ESTIMATE_LINES - 1;
  const room = Math.max(3, Math.min(specs.length, (height ?? FORM_LINES) - 3 - estLines));
  const est = estimate ? wrapWords(`Estimate: ${estimate}`, width - 2).slice(0, estLines) : [];
  const start = Math.max(0, Math.min(form.index - Math.floor(room / 2), specs.length - room));
  const hint = selectedSpec ? (form.errors[selectedSpec.key] ? `✗ ${form.errors[selectedSpec.key]}` : selectedSpec.hint) : 'enter: start the search in the background';
  return (
    <Box flexDirection="column" width={width}>
      <Tx role="accent" bold={focused}>{clip(`${focused ? '▸' : ' '} New search${room < specs.length ? `  (fields ${start + 1}-${start + room} of ${specs.length})` : ''}`, width)}</Tx>
      {specs.slice(start, start + room).map((spec, j) => {
        const i = start + j;
        const sel = focused && i === form.index;
        const editing = sel && form.editing;
        const raw = editing ? `${form.draft}█` : spec.choices ? `‹ ${form.values[spec.key]} ›` : form.values[spec.key] || '-';
        const err = form.errors[spec.key] ? ' ✗' : '';
        return (
          <Tx key={spec.key} selected={sel && !editing} role={err ? 'error' : undefined}>
            {clip(`${sel ? '›' : ' '} ${spec.label.padEnd(labelW)} ${raw}${err}`, width)}
          </Tx>
        );
      })}
      <Tx selected={focused && form.index === specs.length} role="ok" bold>{clip(`${focused && form.index === specs.length ? '›' : ' '} [ Launch ]`, width)}</Tx>
      {est.map((l, i) => <Tx key={`est${i}`} role="accent">{clip(`  ${l}`, width)}</Tx>)}
      <Tx role={selectedSpec && form.errors[selectedSpec.key] ? 'error' : 'dim'}>{clip(`  ${hint}`, width)}</Tx>
    </Box>
  );
}
