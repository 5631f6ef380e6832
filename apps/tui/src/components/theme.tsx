/** Colour on or off (NO_COLOR): components draw through {@link Tx}, which drops colours when off. */
import { createContext, useContext, type ReactNode } from 'react';
import { Text } from 'ink';

/** The theme: whether colours are drawn. */
export interface Theme {
  color: boolean;
}

/** The theme in effect (colour unless NO_COLOR is set). */
export const ThemeContext = createContext<Theme>({ color: true });

/** Colours by role. */
const ROLE = { accent: 'cyan', ok: 'green', warn: 'yellow', error: 'red', dim: 'gray' } as const;
/** A role of {@link Tx}. */
export type Role = keyof typeof ROLE;

/** Props of {@link Tx}. */
export interface TxProps {
  children?: ReactNode;
  role?: Role;
  bold?: boolean;
  /** Selected: drawn inverse (also without colour). */
  selected?: boolean;
}

/** One line of text, never wrapped (lines are cut to the width by the callers). */
export function Tx({ children, role, bold, selected }: TxProps) {
  const { color } = useContext(ThemeContext);
  return (
    <Text wrap="truncate-end" color={color && role ? ROLE[role] : undefined} dimColor={!color && role === 'dim' ? false : undefined} bold={bold} inverse={selected}>
      {children}
    </Text>
  );
}
