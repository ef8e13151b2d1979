#!/usr/bin/env node
// The `kapi-device` command (package.json "bin"): the reference client of the device API, src/device-client/main.ts.
import { runTypeScript } from './run-ts.mjs';

runTypeScript('kapi-device', 'src/device-client/main.ts');
