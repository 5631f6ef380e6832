import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

/** A terminal size. */
export interface Size {
  columns: number;
  rows: number;
}

/** The terminal's size, updated on resize (listener removed on unmount); `fixed` overrides it. */
export function useTerminalSize(fixed?: Size): Size {
  const { stdout } = useStdout();
  const read = (): Size => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState<Size>(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return fixed ?? size;
}
