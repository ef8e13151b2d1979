#!/usr/bin/env node
// The `kapi-signer` command (package.json "bin"): the citizen's card helper, src/signer/main.ts (compiled: dist/src/signer/main.js).
import { runEntry } from './entry.mjs';

await runEntry('kapi-signer', 'src/signer/main');
