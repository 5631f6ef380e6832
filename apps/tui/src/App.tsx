/** The thin root: state in one reducer, effects in hooks, screens drawn from props. */
import { useReducer } from 'react';
import { Box, useInput } from 'ink';
import { DetailsOverlay } from './components/DetailsOverlay.js';
import { Footer, footerLines } from './components/Footer.js';
import { Header } from './components/Header.js';
import { HelpOverlay } from './components/HelpOverlay.js';
import { LiveScreen } from './components/LiveScreen.js';
import { ResultsScreen } from './components/ResultsScreen.js';
import { StartScreen } from './components/StartScreen.js';
import { StudyResults } from './components/StudyResults.js';
import { ThemeContext } from './components/theme.js';
import { useEstimate } from './hooks/useEstimate.js';
import { useMlflowLink } from './hooks/useMlflowLink.js';
import { useQuit } from './hooks/useQuit.js';
import { useRequests } from './hooks/useRequests.js';
import { useSearchJournal } from './hooks/useSearchJournal.js';
import { useSearchAlive } from './hooks/useSearchAlive.js';
import { useSearchList } from './hooks/useSearchList.js';
import { useSeedNoise } from './hooks/useSeedNoise.js';
import { useStudy } from './hooks/useStudy.js';
import { useTrackingStatus } from './hooks/useTrackingStatus.js';
import { useTerminalSize, type Size } from './hooks/useTerminalSize.js';
import { useZooNames } from './hooks/useZooNames.js';
import { appReducer, initialAppState, type AppState } from './state/app.js';
import { toKeyPresses } from './state/keys.js';
import { detailsLines, followedDir } from './state/selectors.js';

/** Props of {@link App}. */
export interface AppProps {
  /** Folder holding the searches (`.slt/searches`). */
  root: string;
  /** The state to start from (default: the Start screen with the quick demo preset). */
  initial?: AppState;
  /** A fixed size instead of the terminal's (tests). */
  size?: Size;
  /** Draw colours (default: unless NO_COLOR is set). */
  color?: boolean;
}

const HINTS = {
  start: { list: '↑↓ select  enter open  tab/n form  / filter', form: '↑↓ field  ←→ choice  enter edit/launch  tab list  esc back' },
  live: '↑↓ genome  ←→ generation  tab pane  p pause  s stop  r results  esc start',
  results: '↑↓ row  esc/tab live',
} as const;

/** The terminal UI. */
export function App({ root, initial, size, color }: AppProps) {
  const [state, dispatch] = useReducer(appReducer, initial ?? initialAppState());
  const { columns, rows } = useTerminalSize(size);
  useInput((input, key) => {
    for (const press of toKeyPresses(input, key)) dispatch({ type: 'key', key: press });
  });
  useSearchList(root, state.screen === 'start', dispatch);
  useStudy(state.attached, dispatch);
  // A study's live screen follows its running model's search (an ordinary search folder).
  const searchDir = followedDir(state);
  useSearchJournal(searchDir ? { dir: searchDir } : undefined, dispatch);
  useSearchAlive(state.attached?.dir, dispatch);
  useTrackingStatus(searchDir, dispatch);
  // The Results screen says which differences are within the seeds' noise (searches differing only in their seed).
  useSeedNoise(searchDir, state.search.status === 'finished' && state.search.mode !== 'search', dispatch);
  useRequests(state.request, state.attached, root, dispatch);
  const mlflow = useMlflowLink(searchDir ? { dir: searchDir } : undefined, state.search.parentRunKey, state.search.config?.trackingUri);
  useQuit(state.quitting);
  const formShown = state.screen === 'start' && state.startFocus === 'form';
  useZooNames(formShown, state.models, dispatch);
  const estimate = useEstimate(state.form.values, state.searches, state.screen === 'start');
  const details = detailsLines(state);

  const width = Math.max(40, columns);
  const screenHints = state.screen === 'start' ? HINTS.start[state.startFocus] : HINTS[state.screen];
  const hints = details.length ? `e details  ${screenHints}` : screenHints;
  const footer = { width, hints, filter: state.filter, filtering: state.filtering, busy: state.busy, message: state.message };
  // One line spare: a frame as tall as the terminal makes Ink clear the screen on every redraw.
  const height = Math.max(6, rows - 2 - footerLines(footer).lines.length);
  const title = state.attached ? state.attached.id : undefined;
  let body;
  if (state.help) body = <HelpOverlay width={width} height={height} />;
  else if (state.details && details.length) body = <DetailsOverlay lines={details} offset={state.details.offset} width={width} height={height} />;
  else if (state.screen === 'start') body = <StartScreen state={state} width={width} height={height} estimate={estimate} />;
  else if (state.screen === 'live') body = <LiveScreen state={state} width={width} height={height} mlflow={mlflow} />;
  else if (state.study) body = <StudyResults study={state.study} width={width} height={height} />;
  else body = <ResultsScreen state={state} width={width} height={height} />;
  return (
    <ThemeContext.Provider value={{ color: color ?? !process.env.NO_COLOR }}>
      <Box flexDirection="column" width={width}>
        <Header screen={state.screen} width={width} title={title} />
        {body}
        <Footer {...footer} />
      </Box>
    </ThemeContext.Provider>
  );
}
