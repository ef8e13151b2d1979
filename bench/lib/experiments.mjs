// Experiments, never used by a normal `npm run bench`: preloaded into the Kapı server process after
// tsx (node --import tsx --import ./bench/lib/experiments.mjs) when --experiment=... is given, they
// patch a Kapı class at run time to measure what a proposed change would buy, without editing src/.
//   client-cache    PostgresClientAdapter.find answers from a 30 s in-process cache
//   no-claim-audit  AuditLog.claimRelease does nothing (the cost of one INSERT per token)
//   account-cache   AccountRepository.findById answers from a 30 s in-process cache
//   no-autopipeline ioredis sends each command as it is issued (enableAutoPipelining off)
const wanted = new Set((process.env.BENCH_EXPERIMENTS ?? '').split(',').filter(Boolean));

function cached(proto, name, ttlMs) {
  const original = proto[name];
  const cache = new Map();
  proto[name] = async function (key) {
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return structuredClone(hit.value);
    const value = await original.call(this, key);
    cache.set(key, { value, until: Date.now() + ttlMs });
    return structuredClone(value);
  };
}

if (wanted.has('client-cache')) {
  const { PostgresClientAdapter } = await import('../../adapters/storage/oidc-client-postgres.ts');
  cached(PostgresClientAdapter.prototype, 'find', 30_000);
}
if (wanted.has('account-cache')) {
  const { AccountRepository } = await import('../../src/accounts/account-repository.ts');
  cached(AccountRepository.prototype, 'findById', 30_000);
}
if (wanted.has('no-claim-audit')) {
  const { AuditLog } = await import('../../src/security/audit.ts');
  AuditLog.prototype.claimRelease = async () => undefined;
}
if (wanted.has('no-autopipeline')) {
  const { REDIS_OPTIONS } = await import('../../adapters/storage/redis-connection.ts');
  REDIS_OPTIONS.enableAutoPipelining = false;
}
if (wanted.size) process.stderr.write(`bench experiments active: ${[...wanted].join(', ')}\n`);
