import vm from 'node:vm';

// Runs before each test file (jest setupFilesAfterEnv). oidc-provider builds its SSRF guard (a dispatcher
// refusing loopback and private addresses, src/oidc/outgoing-requests.ts) from Node's global undici
// dispatcher, which it finds on `globalThis` under a registry symbol. Jest runs each test file in a VM
// context of its own, whose global object lacks that symbol: there the guard could not be built, and
// oidc-provider went on without it ("failed to setup SSRF protection"), so every in-process Kapı reached
// 127.0.0.1 where a real Kapı process is refused (issue 26 point 3 went unseen). The process's own global
// lends the dispatcher to this file's context, so in-process Kapıs guard as production does.

const outer = vm.runInThisContext('globalThis') as Record<symbol, unknown> & { Response?: unknown };
void outer.Response; // Node loads undici, which sets its global dispatcher, on first use of a fetch global
for (const version of [2, 1]) {
  const key = Symbol.for(`undici.globalDispatcher.${version}`);
  const here = globalThis as unknown as Record<symbol, unknown>;
  if (outer[key] !== undefined && here[key] === undefined) here[key] = outer[key];
}
