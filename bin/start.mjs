// `npm start`'s entry (after the node flags, see package.json and src/runtime/node-flags.ts): the
// server, compiled (dist/src/main.js) when the build is up to date, else src/main.ts through tsx with a
// line on stderr saying why (bin/entry.mjs). The container image runs dist/src/main.js directly.
import { runEntry } from './entry.mjs';

await runEntry('kapı', 'src/main', { notice: 'always' });
