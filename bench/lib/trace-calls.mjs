// Trace preload: every ioredis command and pg query with the HTTP request it belongs to and the Kapı frames that sent it.
import { createRequire } from 'node:module';
import path from 'node:path';
import dc from 'node:diagnostics_channel';
import { writeFileSync, appendFileSync } from 'node:fs';
const require = createRequire(path.join(process.cwd(), 'package.json'));
const out = process.env.TRACE_FILE;
writeFileSync(out, '');
const line = (s) => appendFileSync(out, s + '\n');
function site() {
  const stack = new Error().stack.split('\n').slice(3);
  const frames = stack
    .filter((f) => /\/(src|adapters|interactions)\//.test(f) && !/adapters\/storage\/(redis-script|state-redis|statement-batch|fixed-sql)/.test(f))
    .slice(0, 4);
  return frames
    .map((f) =>
      f
        .trim()
        .replace(/^at /, '')
        .replace(/\(?\/work\/[^/]+\//, '')
        .replace(/\)$/, ''),
    )
    .join(' < ');
}
function wrap(proto, name, kind) {
  const original = proto[name];
  proto[name] = function (...args) {
    let what;
    if (kind === 'redis') {
      const c = args[0];
      what = `${c.name} ${c.name === 'evalsha' ? String(c.args[0]).slice(0, 8) : ''} ${c.args
        .slice(c.name === 'evalsha' ? 2 : 0, c.name === 'evalsha' ? 3 : 1)
        .map(String)
        .join(' ')
        .slice(0, 70)}`;
    } else {
      const t = typeof args[0] === 'string' ? args[0] : (args[0]?.text ?? '');
      what = t.replace(/\s+/g, ' ').slice(0, 90);
    }
    line(`  ${kind.padEnd(5)} ${what}    @ ${site()}`);
    return original.apply(this, args);
  };
}
wrap(require('ioredis').Redis.prototype, 'sendCommand', 'redis');
wrap(require('pg').Client.prototype, 'query', 'sql');
dc.subscribe('http.server.request.start', ({ request }) => line(`REQ ${request.method} ${request.url.slice(0, 60)}`));
Error.stackTraceLimit = 40;
