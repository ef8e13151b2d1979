// Builds the data-growth template ahead of a benchmark (the benchmark builds it too when it is missing):
//   node bin/launch.mjs --import tsx bench/data-growth/build.ts [--growth-scale=1]
// Prints each step's time and the database's size; a template already built is only reported.

import { parseArgs } from 'node:util';
import { ensureTemplate } from './template.js';

const { values } = parseArgs({ options: { 'growth-scale': { type: 'string' } }, strict: true });
const scale = Number(values['growth-scale'] ?? 1);
if (!(scale > 0 && scale <= 1)) throw new Error(`--growth-scale must be in (0, 1], not ${values['growth-scale']}`);
const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const t = await ensureTemplate(scale, log);
log(
  `${t.name}: ${t.built ? 'built' : 'already built'} (${t.buildSeconds ?? '?'} s to build), ${(t.bytes / 2 ** 30).toFixed(2)} GiB` +
    (t.built ? '' : `; steps: ${t.steps.map((s) => `${s.what} ${s.seconds} s`).join('; ')}`),
);
process.exit(0);
