#!/usr/bin/env node
// The `slt` command: runs the built JavaScript, its bundle ../dist/bundle (tools/bundle.mjs: a few
// dozen files to load instead of ~600 modules) or else ../dist, rebuilt first when a source is newer
// (see tools/fresh.mjs). SLT_DEV=1 runs the TypeScript sources through tsx instead (no build).
let main;
if (process.env.SLT_DEV === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/main.ts'));
} else {
  const { ensureBuilt } = await import('../../../tools/fresh.mjs');
  const bundled = await ensureBuilt();
  if (process.env.SLT_DEBUG) process.setSourceMapsEnabled(true);
  ({ main } = await import(bundled ? '../dist/bundle/main.js' : '../dist/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
