#!/usr/bin/env node
// Starts the slt terminal UI: runs the built JavaScript in ../dist (rebuilt first when a source is
// newer, see tools/fresh.mjs). SLT_DEV=1 runs the TypeScript/TSX sources through tsx instead
// (with this app's tsconfig, for its JSX settings).
let start;
if (process.env.SLT_DEV === '1') {
  const { fileURLToPath } = await import('node:url');
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
  ({ start } = await import('../src/main.tsx'));
} else {
  const { ensureBuilt } = await import('../../../tools/fresh.mjs');
  await ensureBuilt();
  if (process.env.SLT_DEBUG) process.setSourceMapsEnabled(true);
  ({ start } = await import('../dist/main.js'));
}
process.exitCode = await start(process.argv.slice(2));
