#!/usr/bin/env node
// The `kapi-signer` command (package.json "bin"): the citizen's card helper, src/signer/main.ts.
import { runTypeScript } from './run-ts.mjs';

runTypeScript('kapi-signer', 'src/signer/main.ts');
