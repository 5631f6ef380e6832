#!/usr/bin/env node
// Starts the slt terminal UI: registers tsx (with this app's tsconfig, for its JSX settings) so the
// TypeScript/TSX sources run as they are.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { start } = await import('../src/main.tsx');
process.exitCode = await start(process.argv.slice(2));
