import { Box } from 'ink';
import type { AppState } from '../state/app.js';
import { visibleSearches } from '../state/selectors.js';
import { clip } from '../view/format.js';
import { SearchForm, FORM_LINES } from './SearchForm.js';
import { SearchList } from './SearchList.js';
import { Tx } from './theme.js';

/** Props of {@link StartScreen}. */
export interface StartScreenProps {
  state: AppState;
  width: number;
  height: number;
  /** The budget's time estimate (see useEstimate). */
  estimate?: string;
}

/**
 * Recent searches and the new-search form. Wide terminals show them side by side; tall ones one
 * above the other; small ones the focused one in full and the other as one line.
 */
export function StartScreen({ state, width, height, estimate }: StartScreenProps) {
  const searches = visibleSearches(state);
  const listFocused = state.startFocus === 'list';
  const form = (h: number) => <SearchForm form={state.form} models={state.models} focused={!listFocused} width={width >= 120 ? 56 : width} height={h} estimate={estimate} />;
  // Stacked: the list keeps at least 5 lines, the form takes the rest (scrolling its fields).
  const formH = Math.min(FORM_LINES, height - 7);
  if (width >= 120) {
    return (
      <Box width={width} height={height}>
        <SearchList searches={searches} selected={state.listIndex} focused={listFocused} width={width - 58} height={height} />
        <Box width={2} />
        {form(height)}
      </Box>
    );
  }
  if (formH >= 9) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <SearchList searches={searches} selected={state.listIndex} focused={listFocused} width={width} height={height - formH - 1} />
        <Box height={1} />
        {form(formH)}
      </Box>
    );
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      {listFocused ? (
        <>
          <SearchList searches={searches} selected={state.listIndex} focused width={width} height={height - 2} />
          <Box height={1} />
          <Tx role="dim">{clip(`  New search: ${state.form.values.preset}, ${state.form.values.model} (tab or n to edit and launch)`, width)}</Tx>
        </>
      ) : (
        <>
          <Tx role="dim">{clip(`  ${searches.length} recent searches, ${searches.filter((s) => s.live).length} live (tab to pick one)`, width)}</Tx>
          {form(height - 1)}
        </>
      )}
    </Box>
  );
}
