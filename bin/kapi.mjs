#!/usr/bin/env node
// The `kapi` command (package.json "bin"): the operator's command, src/cli/main.ts (compiled: dist/src/cli/main.js).
import { runEntry } from './entry.mjs';

await runEntry('kapi', 'src/cli/main');
