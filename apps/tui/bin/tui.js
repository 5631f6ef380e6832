#!/usr/bin/env node
// Starts the slt terminal UI: registers tsx so the TypeScript/TSX sources run as they are.
import { register } from 'tsx/esm/api';

register();
const { start } = await import('../src/main.tsx');
process.exitCode = await start(process.argv.slice(2));
