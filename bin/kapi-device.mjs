#!/usr/bin/env node
// The `kapi-device` command (package.json "bin"): the reference client of the device API, src/device-client/main.ts (compiled: dist/src/device-client/main.js).
import { runEntry } from './entry.mjs';

await runEntry('kapi-device', 'src/device-client/main');
