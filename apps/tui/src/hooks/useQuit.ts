import { useEffect } from 'react';
import { useApp } from 'ink';

/** Leaves the app once `quitting` is set (a detached search keeps running). */
export function useQuit(quitting: boolean): void {
  const { exit } = useApp();
  useEffect(() => {
    if (quitting) exit();
  }, [quitting, exit]);
}
