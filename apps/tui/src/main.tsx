import React, { useState } from 'react';
import { render, Text, useInput, useApp } from 'ink';

function Probe() {
  const [keys, setKeys] = useState('');
  const { exit } = useApp();
  useInput((input) => {
    if (input === 'q') exit();
    else setKeys((k) => k + input);
  });
  return <Text>slt probe keys=[{keys}] tty={String(process.stdin.isTTY)}</Text>;
}

/** Starts the terminal UI and resolves to the exit code when it is closed. */
export async function start(_argv: string[]): Promise<number> {
  const app = render(<Probe />);
  await app.waitUntilExit();
  return 0;
}
