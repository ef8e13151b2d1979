// `node --import ./test/cli/support/trace-loads.mjs <script>`: writes `loaded <url>` on stderr for every
// module the process loads after this one (ES modules, and CommonJS packages imported from them), so a
// test can tell what a command pulled in.
import { register } from 'node:module';

// The hooks run on a thread of their own: a synchronous write, or the lines of a process that ends with
// process.exit() (as `kapi --help` does) would be lost.
const hooks = `import { writeSync } from 'node:fs';
export async function load(url, context, next) {
  if (!url.startsWith('node:')) writeSync(2, 'loaded ' + url + '\\n');
  return next(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
