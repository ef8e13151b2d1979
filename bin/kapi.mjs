#!/usr/bin/env node
// The `kapi` command (package.json "bin"): the operator's command, src/cli/main.ts.
import { runTypeScript } from './run-ts.mjs';

runTypeScript('kapi', 'src/cli/main.ts');
