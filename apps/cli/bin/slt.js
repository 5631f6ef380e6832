#!/usr/bin/env node
// The `slt` command: runs the built JavaScript in ../dist (rebuilt first when a source is newer,
// see tools/fresh.mjs). SLT_DEV=1 runs the TypeScript sources through tsx instead (no build).
let main;
if (process.env.SLT_DEV === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/main.ts'));
} else {
  const { ensureBuilt } = await import('../../../tools/fresh.mjs');
  await ensureBuilt();
  if (process.env.SLT_DEBUG) process.setSourceMapsEnabled(true);
  ({ main } = await import('../dist/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
