// Account-enumeration timing benchmark (issue 9), not a timed test: a password login with a wrong password
// for a KNOWN identity number vs. an UNKNOWN (valid-checksum) one, interleaved, over real HTTP against
// Kapı on the embedded default. Reports median/p90 per group and the difference. Guess limits are raised
// so the limiter's delays do not mask (or cause) a difference; the limiter is measured elsewhere.
//
//   node bin/launch.mjs --import tsx bench/enumeration.ts [attemptsPerGroup=40]
import { DEMO_CITIZENS } from '../src/demo/seed.js';
import { checkDigits } from '../src/identity/national-id.js';
import { Browser } from '../test/support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../test/support/institution.js';
import { createServer } from 'node:net';
import { createKapi } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { TestKapi } from '../test/support/kapi.js';

const perGroup = Number(process.argv[2] ?? 40);
const known: string[] = DEMO_CITIZENS.filter((c) => !c.mustChange).map((c) => c.nationalId);

/** Valid-checksum identity numbers nobody holds (the first nine digits are random, not starting with 0). */
function unknownNumber(): string {
  for (;;) {
    const nine = [1 + Math.floor(Math.random() * 9), ...Array.from({ length: 8 }, () => Math.floor(Math.random() * 10))];
    const [ten, eleven] = checkDigits(nine);
    const id = [...nine, ten, eleven].join('');
    if (!DEMO_CITIZENS.some((c) => c.nationalId === id)) return id;
  }
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

// Started here rather than through test/support/kapi.ts, which pulls in jest-only helpers.
const port = await new Promise<number>((resolve) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const a = srv.address();
    srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
  });
});
const issuer = `http://127.0.0.1:${port}`;
const kapi = await createKapi(
  loadConfig({ NODE_ENV: 'test', PORT: String(port), KAPI_ISSUER: issuer, DATA_DIR: ':memory:', KAPI_LOG_LEVEL: 'silent', KAPI_DEMO: 'true' }),
  { guessLimits: { delayAfter: 1e6, lockAfter: 1e6, ipLimit: 1e6, prefixLimit: 1e6 } },
);
await kapi.listen();
const t: TestKapi = { kapi, issuer, backend: 'embedded', stop: () => kapi.close() };
try {
  const rp = await relyingParty(t, await registerInstitution(t));
  async function attempt(nationalId: string): Promise<number> {
    const browser = new Browser();
    const form = await browser.go((await authRequest(rp)).url.href, {}, atCallback);
    const started = process.hrtime.bigint();
    const page = await browser.submit(form, { national_id: nationalId, password: 'Yanlis-Parola-123' }, { name: 'submit', value: 'login' }, atCallback);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (atCallback(page.url) || page.html.includes('name="decision"')) throw new Error('a wrong password signed in');
    return ms;
  }
  for (let i = 0; i < 4; i++) {
    await attempt(known[i % known.length]!);
    await attempt(unknownNumber());
  } // warm-up
  const knownMs: number[] = [];
  const unknownMs: number[] = [];
  for (let i = 0; i < perGroup; i++) {
    // Interleaved, order alternating, so drift (GC, JIT, other load) hits both groups alike.
    if (i % 2 === 0) {
      knownMs.push(await attempt(known[i % known.length]!));
      unknownMs.push(await attempt(unknownNumber()));
    } else {
      unknownMs.push(await attempt(unknownNumber()));
      knownMs.push(await attempt(known[i % known.length]!));
    }
  }
  const row = (name: string, xs: number[]) =>
    `${name.padEnd(8)} n=${xs.length} median=${quantile(xs, 0.5).toFixed(1)} ms p90=${quantile(xs, 0.9).toFixed(1)} ms`;
  console.log(row('known', knownMs));
  console.log(row('unknown', unknownMs));
  console.log(
    `difference (known − unknown): median ${(quantile(knownMs, 0.5) - quantile(unknownMs, 0.5)).toFixed(1)} ms, p90 ${(quantile(knownMs, 0.9) - quantile(unknownMs, 0.9)).toFixed(1)} ms`,
  );
} finally {
  await t.stop();
}
