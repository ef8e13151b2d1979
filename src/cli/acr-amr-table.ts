import { readFile, writeFile } from 'node:fs/promises';
import { METHOD_TRAITS } from '../../interactions/index.js';
import { acrAmrMarkdown, withTable } from '../engine/acr-amr-table.js';

// `npm run docs:acr-amr`: writes the method → acr → amr table into README.md ("For integrators") from the
// method modules' traits (src/engine/acr-amr-table.ts). With --check it only says whether README is current.

const readmePath = new URL('../../README.md', import.meta.url);
const readme = await readFile(readmePath, 'utf8');
const updated = withTable(readme, acrAmrMarkdown(METHOD_TRAITS.all));
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    process.stderr.write('README.md: the method → acr → amr table is out of date; run `npm run docs:acr-amr`\n');
    process.exit(1);
  }
} else if (updated !== readme) {
  await writeFile(readmePath, updated);
  process.stdout.write('README.md: method → acr → amr table written\n');
}
