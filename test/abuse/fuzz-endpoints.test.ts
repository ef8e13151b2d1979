import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type * as client from 'openid-client';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { registerInstitution, relyingParty, CALLBACK } from '../support/institution.js';
import { atConsent, enc, atPasswordForm, durableCounts, FUZZ, hostileContentType, hostileField, hostileString, isCleanAnswer, rawPost } from './support.js';

// Property-based fuzzing (fast-check) of every form and JSON endpoint Kapı serves: each hostile request
// gets a 4xx with a clear answer (a page in the person's language, or an OAuth/JSON error), never a 5xx,
// and nothing durable is written. A failing case prints fast-check's seed and the shrunk input;
// KAPI_FUZZ_RUNS and KAPI_FUZZ_SEED replay or widen a run.

let cases = 0;
const count = <T>(arb: fc.Arbitrary<T>) => arb.map((v) => (cases++, v));

describe('abuse: fuzzing every form and JSON endpoint', () => {
  let t: TestKapi;
  let metadata: Record<string, unknown>;
  let rp: client.Configuration;
  let before: Record<string, number>;
  const basic = () =>
    `Basic ${Buffer.from(`${encodeURIComponent(String(metadata.client_id))}:${encodeURIComponent(String(metadata.client_secret))}`).toString('base64')}`;

  beforeAll(async () => {
    // Guess limits high enough that the fuzzer reaches validation rather than the lock (the lock has its own tests).
    t = await startKapi({ guessLimits: { delayAfter: 10_000, lockAfter: 10_000, ipLimit: 100_000 } });
    metadata = await registerInstitution(t, { scopes: ['openid', 'profile', 'national_id', 'offline_access'], backchannelLogoutUri: 'http://127.0.0.1:9/bc' });
    rp = await relyingParty(t, metadata);
    before = await durableCounts(t.kapi.services.db);
  });
  afterAll(async () => {
    // Nothing durable was written by any hostile request of this file (the consent fuzz never allows).
    if (t) expect(await durableCounts(t.kapi.services.db)).toEqual(before);
    console.log(`abuse fuzzing: ${cases} generated requests, none answered 5xx`);
    await t?.stop();
  });

  function expectPage(res: { status: number; type: string; text: string }): void {
    expect(isCleanAnswer(res.status)).toBe(true);
    if (res.type.startsWith('text/html')) expect(res.text).toMatch(/<html lang="(tr|en)"/);
  }

  it('password form: hostile identity numbers, passwords, shapes and content types → 4xx page, never 500', async () => {
    const form = await atPasswordForm(rp);
    // A NUL character in either field, always: with the form's token it is a bad request (400, the
    // sign-in pages share the account pages' form reader); without it the post is refused as forged (403).
    for (const fields of ['national_id=10000000146%00&password=x', 'national_id=10000000146&password=a%00b']) {
      const withToken = await rawPost(form.browser, form.action, `_csrf=${form.csrf}&${fields}&submit=login`, 'application/x-www-form-urlencoded');
      expectPage(withToken);
      expect(withToken.status).toBe(400);
      const forged = await rawPost(form.browser, form.action, `${fields}&submit=login`, 'application/x-www-form-urlencoded');
      expectPage(forged);
      expect(forged.status).toBe(403);
    }
    await fc.assert(
      fc.asyncProperty(
        count(fc.tuple(hostileField('national_id'), hostileField('password'), fc.boolean(), hostileContentType)),
        async ([nid, pwd, withCsrf, type]) => {
          const body = [withCsrf ? `_csrf=${form.csrf}` : '', nid, pwd, 'submit=login'].filter(Boolean).join('&');
          const res = await rawPost(form.browser, form.action, body, type);
          expectPage(res);
          // Without the synchronizer token nothing is even looked at.
          if (!withCsrf || !type.startsWith('application/x-www-form-urlencoded')) expect([400, 403, 413, 415]).toContain(res.status);
          expect(res.status).not.toBe(302); // no hostile input signs anyone in
        },
      ),
      { numRuns: FUZZ.runs, seed: FUZZ.seed },
    );
  });

  it('password form: bodies past the limit answer 413 with the page, bodies of garbage bytes answer 4xx', async () => {
    const form = await atPasswordForm(rp);
    const huge = await rawPost(
      form.browser,
      form.action,
      `_csrf=${form.csrf}&national_id=${'1'.repeat(100_000)}&password=x`,
      'application/x-www-form-urlencoded',
    );
    expect(huge.status).toBe(413);
    expectPage(huge);
    await fc.assert(
      fc.asyncProperty(count(fc.uint8Array({ minLength: 1, maxLength: 4000 })), async (bytes) => {
        expectPage(await rawPost(form.browser, form.action, bytes, 'application/x-www-form-urlencoded'));
      }),
      { numRuns: Math.ceil(FUZZ.runs / 2), seed: FUZZ.seed },
    );
  });

  it('method chooser and abort: unknown methods and hostile fields → 4xx', async () => {
    const form = await atPasswordForm(rp);
    const base = form.action.replace(/\/method\/.*$/, '');
    await fc.assert(
      fc.asyncProperty(count(fc.tuple(hostileString, hostileField('reason'))), async ([method, reason]) => {
        const chosen = await rawPost(form.browser, `${base}/method/${enc(method)}`, `_csrf=${form.csrf}`, 'application/x-www-form-urlencoded');
        expectPage(chosen);
        const aborted = await rawPost(form.browser, `${base}/abort`, `${reason}`, 'application/x-www-form-urlencoded');
        expectPage(aborted);
        expect([403, 413]).toContain(aborted.status); // no CSRF token (or too large): the interaction is not ended
      }),
      { numRuns: Math.ceil(FUZZ.runs / 2), seed: FUZZ.seed },
    );
  });

  it('consent form: hostile decisions never grant anything', async () => {
    const consent = await atConsent(rp);
    const consentsBefore = await t.kapi.services.db('consents').count<{ c: number }[]>({ c: '*' });
    await fc.assert(
      fc.asyncProperty(
        count(
          fc.tuple(
            hostileField('decision').filter((d) => !/^decision=allow$/.test(d)),
            fc.boolean(),
          ),
        ),
        async ([decision, withCsrf]) => {
          const body = [withCsrf ? `_csrf=${consent.csrf}` : `_csrf=${encodeURIComponent('x'.repeat(10))}`, decision].filter(Boolean).join('&');
          const res = await rawPost(consent.browser, consent.action, body, 'application/x-www-form-urlencoded');
          expect(isCleanAnswer(res.status)).toBe(true);
          if (!withCsrf) expect(res.status).toBe(403);
        },
      ),
      { numRuns: Math.ceil(FUZZ.runs / 2), seed: FUZZ.seed },
    );
    expect(await t.kapi.services.db('consents').count<{ c: number }[]>({ c: '*' })).toEqual(consentsBefore);
  });

  const tokenFields = [
    'grant_type',
    'code',
    'redirect_uri',
    'code_verifier',
    'refresh_token',
    'client_id',
    'client_assertion',
    'client_assertion_type',
    'scope',
    'resource',
    'client_secret',
  ];

  it('token endpoint: hostile grants, with and without client authentication → 4xx OAuth error JSON', async () => {
    const auth = fc.constantFrom('good', 'none', 'garbage', 'bearer');
    await fc.assert(
      fc.asyncProperty(
        count(
          fc.tuple(
            fc.uniqueArray(fc.constantFrom(...tokenFields), { maxLength: 6 }).chain((names) => fc.tuple(...names.map((n) => hostileField(n)))),
            auth,
            hostileContentType,
          ),
        ),
        async ([fields, authKind, type]) => {
          const headers: Record<string, string> = {};
          if (authKind === 'good') headers.authorization = basic();
          if (authKind === 'garbage') headers.authorization = `Basic ${Buffer.from('\u0000:%%%').toString('base64')}`;
          if (authKind === 'bearer') headers.authorization = 'Bearer x';
          const res = await fetch(`${t.issuer}/token`, {
            method: 'POST',
            headers: { ...(type ? { 'content-type': type } : {}), ...headers },
            body: fields.filter(Boolean).join('&'),
          });
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          const body = (await res.json()) as { error?: unknown };
          expect(typeof body.error).toBe('string');
        },
      ),
      { numRuns: FUZZ.runs, seed: FUZZ.seed },
    );
  });

  it('PAR, introspection and revocation: hostile requests → 4xx (or 200 for unknown tokens, as RFC 7009/7662 say)', async () => {
    const endpoint = fc.constantFrom('/request', '/token/introspection', '/token/revocation');
    const fields = fc
      .uniqueArray(
        fc.constantFrom(
          'token',
          'token_type_hint',
          'response_type',
          'redirect_uri',
          'scope',
          'code_challenge',
          'code_challenge_method',
          'request',
          'request_uri',
          'claims',
          'state',
          'nonce',
          'acr_values',
          'max_age',
          'prompt',
        ),
        { maxLength: 6 },
      )
      .chain((names) => fc.tuple(...names.map((n) => hostileField(n))));
    await fc.assert(
      fc.asyncProperty(count(fc.tuple(endpoint, fields, fc.boolean())), async ([path, parts, authenticated]) => {
        const res = await fetch(`${t.issuer}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authenticated ? { authorization: basic() } : {}) },
          body: parts.filter(Boolean).join('&'),
        });
        expect(isCleanAnswer(res.status)).toBe(true);
        if (!authenticated) expect(res.status).toBeGreaterThanOrEqual(400);
        if (path === '/token/introspection' && res.status === 200) expect(((await res.json()) as { active: boolean }).active).toBe(false);
      }),
      { numRuns: FUZZ.runs, seed: FUZZ.seed },
    );
  });

  it('userinfo: hostile access tokens in the header and in the body → 401/400, never 500', async () => {
    const headerSafe = hostileString.map((s) => s.replace(/[^\x21-\x7e]/g, '').slice(0, 4000));
    await fc.assert(
      fc.asyncProperty(
        count(fc.tuple(fc.tuple(headerSafe, fc.constantFrom('Bearer', 'DPoP', 'Basic', 'bearer', '')), hostileField('access_token'))),
        async ([[token, scheme], bodyField]) => {
          const byHeader = await fetch(`${t.issuer}/me`, { headers: { authorization: `${scheme} ${token}`.trim(), dpop: token } });
          expect(byHeader.status).toBeGreaterThanOrEqual(400);
          expect(byHeader.status).toBeLessThan(500);
          const byBody = await fetch(`${t.issuer}/me`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: bodyField });
          expect(byBody.status).toBeGreaterThanOrEqual(400);
          expect(byBody.status).toBeLessThan(500);
        },
      ),
      { numRuns: FUZZ.runs, seed: FUZZ.seed },
    );
  });

  it('authorization and end-session endpoints: hostile query parameters → an error page or an error redirect to the registered URI only', async () => {
    const names = [
      'client_id',
      'redirect_uri',
      'response_type',
      'scope',
      'state',
      'nonce',
      'code_challenge',
      'code_challenge_method',
      'prompt',
      'max_age',
      'ui_locales',
      'claims',
      'acr_values',
      'id_token_hint',
      'login_hint',
      'request',
      'request_uri',
      'post_logout_redirect_uri',
    ];
    // Found by this property once: a NUL byte in client_id reached Postgres and answered 500.
    for (const path of ['/auth', '/session/end']) expect((await fetch(`${t.issuer}${path}?client_id=kapi%00x`, { redirect: 'manual' })).status).toBe(400);
    const query = fc.uniqueArray(fc.constantFrom(...names), { maxLength: 8 }).chain((ns) => fc.tuple(...ns.map((n) => hostileField(n))));
    await fc.assert(
      fc.asyncProperty(count(fc.tuple(fc.constantFrom('/auth', '/session/end'), query, fc.boolean())), async ([path, parts, withClient]) => {
        const extra = withClient ? [`client_id=${encodeURIComponent(String(metadata.client_id))}`, `redirect_uri=${encodeURIComponent(CALLBACK)}`] : [];
        const res = await fetch(`${t.issuer}${path}?${[...extra, ...parts].filter(Boolean).join('&')}`, { redirect: 'manual' });
        expect(isCleanAnswer(res.status)).toBe(true);
        const location = res.headers.get('location');
        if (location) {
          const target = new URL(location, t.issuer);
          // Only Kapı itself or the institution's registered redirect URI, never an address from the input.
          expect(target.origin === t.issuer || target.href.startsWith(`${CALLBACK}?`) || target.href === CALLBACK).toBe(true);
        }
      }),
      { numRuns: FUZZ.runs, seed: FUZZ.seed },
    );
  });

  it('smart-card signer API: hostile JSON bodies and codes → 4xx JSON, never 500, no transaction changed', async () => {
    const jsonBody = fc.oneof(
      fc.json().map((j) => j),
      fc
        .record({
          transaction_id: hostileString,
          algorithm: fc.constantFrom('ES256', 'RS256', 'none', 'HS256', ''),
          signature: hostileString,
          certificate: hostileString,
          chain: fc.array(hostileString, { maxLength: 3 }),
        })
        .map((o) => JSON.stringify(o)),
      fc.record({ transaction_id: hostileString, reason: hostileString }).map((o) => JSON.stringify(o)),
      fc.string({ maxLength: 200 }),
    );
    // Found by this property once: strict-JSON refusals (a bare number, a blank body) answered 500.
    for (const body of ['1', ' ', '"x"', 'nul']) {
      const res = await fetch(`${t.issuer}/smart-card/v1/transactions/AAAAAAA0/signature`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    }
    const code = fc.oneof(hostileString, fc.stringMatching(/^[A-Z0-9]{8}$/), fc.constant('ABCD-EFGH'));
    await fc.assert(
      fc.asyncProperty(
        count(
          fc.tuple(
            code,
            fc.constantFrom('signature', 'failure', ''),
            jsonBody,
            fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
          ),
        ),
        async ([c, action, body, type]) => {
          const url = `${t.issuer}/smart-card/v1/transactions/${enc(c)}${action ? `/${action}` : ''}`;
          const res = action ? await fetch(url, { method: 'POST', headers: { 'content-type': type }, body }) : await fetch(url);
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
        },
      ),
      // The signer API allows 60 calls a minute per IP; the rest of the runs meet its 429, also a clean answer.
      { numRuns: Math.ceil(FUZZ.runs / 2), seed: FUZZ.seed },
    );
  });

  it('huge headers, garbage cookies and odd methods → 4xx, never 500', async () => {
    const form = await atPasswordForm(rp);
    // Node answers 431 before any of Kapı's code runs; the client must get that answer, not a dropped connection.
    const bigHeader = await fetch(form.page.url, { headers: { 'x-filler': 'a'.repeat(40_000) } });
    expect(bigHeader.status).toBe(431);
    await fc.assert(
      fc.asyncProperty(
        count(
          fc.tuple(
            fc.stringMatching(/^[A-Za-z0-9._~+/=-]{0,300}$/),
            fc.constantFrom('kapi_session', 'kapi_interaction', 'kapi_interaction.sig', 'kapi_session.sig', 'kapi_lang'),
          ),
        ),
        async ([value, name]) => {
          const res = await fetch(form.page.url, { headers: { cookie: `${name}=${value}` }, redirect: 'manual' });
          expect(isCleanAnswer(res.status)).toBe(true);
          const auth = await fetch(`${t.issuer}/auth?client_id=${encodeURIComponent(String(metadata.client_id))}`, {
            headers: { cookie: `${name}=${value}` },
            redirect: 'manual',
          });
          expect(isCleanAnswer(auth.status)).toBe(true);
        },
      ),
      { numRuns: FUZZ.runs, seed: FUZZ.seed },
    );
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      for (const path of [form.action, '/token', '/me', '/readyz', '/request']) {
        const res = await fetch(new URL(path, t.issuer), { method, redirect: 'manual' });
        expect(isCleanAnswer(res.status)).toBe(true);
      }
    }
  });
});
