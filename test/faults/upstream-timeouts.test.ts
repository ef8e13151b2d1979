import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as client from 'openid-client';
import { createTestCa, type TestCa } from '../../keys/test-ca.js';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { institutionSignIn, openWithPassword } from '../account/security-support.js';
import { bankLink, toBankChooser } from '../../interactions/banking/test/support.js';
import { errorText, PROFILE, startMobileSignature } from '../../interactions/mobile-signature/test/support.js';
import { startBlackHole, type BlackHole } from '../support/black-hole.js';
import { Browser, decode } from '../support/browser.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty, personClaims } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { codeOn, signerPost, softwareCard, startSmartCard } from '../support/smart-card.js';

// Upstreams that accept the connection and never answer (test/support/black-hole.ts), each configured
// the way an operator configures the real one: an MSSP in the operators file (KAPI_MOBILE_OPERATORS),
// banks in KAPI_BANKS_FILE, the SMS gateway (KAPI_SMS_GATEWAY_URL) and the OCSP/CRL addresses a card
// certificate names (checked under KAPI_REVOCATION_*). Each deadline is set small here; every hanging
// request must end in a clean refusal within the deadlines it crosses (plus a generous margin for a
// loaded machine), and while it hangs another citizen's password login must complete.
//
// Deadlines: MSSP `requestTimeoutMs` per exchange (a signature request is never repeated after a
// timeout); a bank's `timeoutMs` per request (discovery, token); `KAPI_SMS_TIMEOUT_MS` per attempt (a
// timeout is not retried: the gateway may have taken the message); `KAPI_REVOCATION_TIMEOUT_MS` per
// OCSP or CRL request (OCSP first, then the CRL: a certificate whose CA host hangs costs two).

jest.setTimeout(90_000);

/** Every upstream deadline in this test. Long enough for a password login on a loaded CI machine to finish inside it. */
const DEADLINE_MS = 3000;
/** Added to the sum of the deadlines a request crosses: scheduling on 2 busy cores, page rendering. */
const MARGIN_MS = 4000;

const AYSE = { ...DEMO_CITIZENS[0], givenName: 'Ayşe', familyName: 'Yılmaz' };
const GULSEN = DEMO_CITIZENS[2];
const GULNARA = DEMO_CITIZENS[3];
const HANGING_BANK = 'kayip-bank';
const TOKENLESS_BANK = 'sessiz-bank';

/** Runs `op` against a hanging upstream; proves another login completes meanwhile; returns op's result and duration. */
async function whileUpstreamHangs<T>(
  hole: BlackHole,
  requestsBefore: number,
  boundMs: number,
  op: () => Promise<T>,
  otherLogin: () => Promise<void>,
): Promise<{ result: T; elapsedMs: number }> {
  const started = Date.now();
  let settled = false;
  const running = op().finally(() => {
    settled = true;
  });
  running.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
  await hole.waitForRequests(requestsBefore + 1); // Kapı's request reached the upstream
  await otherLogin();
  // The other citizen was signed in while Kapı still waited on the upstream.
  expect(settled).toBe(false);
  expect(hole.pending()).toBeGreaterThan(0);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${boundMs} ms: the upstream deadline did not end the wait`)),
      Math.max(0, boundMs - (Date.now() - started)),
    );
  });
  try {
    const result = await Promise.race([running, limit]);
    return { result, elapsedMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

describe('faults: upstreams that never answer', () => {
  let dir: string;
  let ca: TestCa;
  let mssp: BlackHole;
  let bank: BlackHole;
  let tokenless: BlackHole;
  let sms: BlackHole;
  let ocsp: BlackHole;
  let t: TestKapi;
  let rp: client.Configuration;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-upstreams-'));
    ca = await createTestCa({ name: 'Kapi Upstream Test' });
    const anchors = await ca.writeAnchors(dir);
    [mssp, bank, sms, ocsp] = await Promise.all([startBlackHole(), startBlackHole(), startBlackHole(), startBlackHole()]);
    // A bank whose discovery answers and whose token endpoint (like everything else) swallows requests.
    tokenless = await startBlackHole((req, res) => {
      if (req.method !== 'GET' || req.url !== '/.well-known/openid-configuration') return false;
      const issuer = `http://${req.headers.host}`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
      return true;
    });

    await writeFile(path.join(dir, 'turkcell.pwd'), 'mssp-ap-password\n', { mode: 0o600 });
    await writeFile(
      path.join(dir, 'operators.json'),
      JSON.stringify({
        operators: [
          {
            id: 'turkcell',
            endpoint: `${mssp.url}/mss`,
            apId: 'kapi-test-ap',
            apPassword: { file: 'turkcell.pwd' },
            signatureProfile: PROFILE,
            timeoutSeconds: 60,
            requestTimeoutMs: DEADLINE_MS,
            trustAnchors: [path.basename(anchors.root)],
            intermediates: [path.basename(anchors.intermediate)],
          },
        ],
        startsPerTenMinutes: 1000,
      }),
    );
    await writeFile(path.join(dir, 'bank.secret'), 'bank-client-secret-0123456789abcdef\n', { mode: 0o600 });
    await writeFile(
      path.join(dir, 'banks.json'),
      JSON.stringify([
        {
          id: HANGING_BANK,
          name: 'Kayıp Bank',
          issuer: bank.url,
          clientId: 'kapi',
          auth: { method: 'client_secret_basic', secretFile: 'bank.secret' },
          timeoutMs: DEADLINE_MS,
        },
        {
          id: TOKENLESS_BANK,
          name: 'Sessiz Bank',
          issuer: tokenless.url,
          clientId: 'kapi',
          auth: { method: 'client_secret_basic', secretFile: 'bank.secret' },
          timeoutMs: DEADLINE_MS,
        },
      ]),
    );

    t = await startKapi({
      env: {
        KAPI_MOBILE_OPERATORS: path.join(dir, 'operators.json'),
        KAPI_BANKS_FILE: path.join(dir, 'banks.json'),
        KAPI_SMS_GATEWAY_URL: `${sms.url}/send`,
        KAPI_SMS_GATEWAY_TOKEN: 'upstream-test-gateway-token-7f3a',
        KAPI_SMS_TIMEOUT_MS: String(DEADLINE_MS),
        KAPI_ESIGN_TRUST_ANCHORS: anchors.root,
        KAPI_IDCARD_TRUST_ANCHORS: anchors.root,
        KAPI_PKI_INTERMEDIATES: anchors.intermediate,
        KAPI_REVOCATION_TIMEOUT_MS: String(DEADLINE_MS),
        // fail-closed is the default; named here because the smart-card expectation depends on it.
        KAPI_REVOCATION_MODE: 'fail-closed',
      },
    });
    rp = await relyingParty(t, await registerInstitution(t));
    await passwordLogin(GULSEN); // warms the password path, so the concurrent logins below are typical ones
  }, 60_000);

  afterAll(async () => {
    // The holes first: a request still hanging (a deadline removed on purpose) is cut, so Kapı can stop.
    await Promise.all([mssp, bank, tokenless, sms, ocsp].map((hole) => hole?.close()));
    await t?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  /** Another citizen's whole password login at the institution, up to the ID token. */
  async function passwordLogin(citizen: { nationalId: string; password: string }): Promise<void> {
    const req = await authRequest(rp);
    const page = await institutionSignIn(new Browser(), req.url.href, citizen);
    expect(atCallback(page.url)).toBe(true);
    const claims = await personClaims(rp, await exchange(rp, req, page.url));
    expect(claims.national_id).toBe(citizen.nationalId);
  }

  it('mobile signature: an MSSP that never answers the signature request gives the operator-unreachable page within requestTimeoutMs', async () => {
    const browser = new Browser();
    const start = (await authRequest(rp, { ui_locales: 'en' })).url.href;
    const { result: page, elapsedMs } = await whileUpstreamHangs(
      mssp,
      mssp.received.length,
      DEADLINE_MS + MARGIN_MS,
      () => startMobileSignature(browser, start, { nationalId: AYSE.nationalId, phone: '0532 111 22 33', operator: 'turkcell' }, atCallback),
      () => passwordLogin(GULSEN),
    );
    expect(elapsedMs).toBeGreaterThanOrEqual(DEADLINE_MS * 0.9); // it was the deadline that ended it, not a refused connection
    expect(page.status).toBe(503);
    expect(errorText(page)).toBe("Your operator's mobile signature service cannot be reached right now. Please try later or choose another method.");
    expect(mssp.received.filter((r) => r.startsWith('POST /mss'))).toHaveLength(1); // the phone is never asked twice
    await mssp.waitUntilIdle(); // Kapı dropped the connection instead of leaving it open
  });

  it('online banking: a bank whose discovery never answers gives the bank-unreachable page within its timeoutMs', async () => {
    const browser = new Browser();
    const chooser = await toBankChooser(browser, (await authRequest(rp)).url.href);
    const link = bankLink(chooser, HANGING_BANK);
    const { result: page, elapsedMs } = await whileUpstreamHangs(
      bank,
      bank.received.length,
      DEADLINE_MS + MARGIN_MS,
      () => browser.go(link),
      () => passwordLogin(GULSEN),
    );
    expect(elapsedMs).toBeGreaterThanOrEqual(DEADLINE_MS * 0.9);
    expect(page.status).toBe(504);
    expect(page.html).toContain('Bankanıza şu anda ulaşılamıyor (yanıt zamanında gelmedi).');
    expect(bank.received).toContain('GET /.well-known/openid-configuration');
    await bank.waitUntilIdle();
  });

  it('online banking: a token endpoint that never answers gives the bank-unreachable page within its timeoutMs', async () => {
    const browser = new Browser();
    const chooser = await toBankChooser(browser, (await authRequest(rp, { ui_locales: 'en' })).url.href);
    const sent = await browser.go(bankLink(chooser, TOKENLESS_BANK), {}, (location) => location.startsWith(`${tokenless.url}/auth`));
    const state = new URL(sent.url).searchParams.get('state');
    expect(state).toBeTruthy();
    // The person signed in at the bank; the bank sends the browser back with a code.
    const callback = `${t.issuer}/banking/callback?code=bank-issued-code&state=${encodeURIComponent(state!)}`;
    const { result: page, elapsedMs } = await whileUpstreamHangs(
      tokenless,
      tokenless.received.length,
      DEADLINE_MS + MARGIN_MS,
      () => browser.go(callback, {}, atCallback),
      () => passwordLogin(GULNARA),
    );
    expect(elapsedMs).toBeGreaterThanOrEqual(DEADLINE_MS * 0.9);
    expect(page.status).toBe(504);
    expect(page.html).toContain('Your bank cannot be reached right now (it did not answer in time).');
    expect(tokenless.received).toEqual(['POST /token']);
    await tokenless.waitUntilIdle();
  });

  it('SMS: a gateway that never answers fails the contact verification code within KAPI_SMS_TIMEOUT_MS, and no code is left behind', async () => {
    const browser = new Browser();
    const contacts = await openWithPassword(t, browser, '/account/contacts', GULSEN); // Gülşen has no phone yet
    const { result: page, elapsedMs } = await whileUpstreamHangs(
      sms,
      sms.received.length,
      DEADLINE_MS + MARGIN_MS,
      () => browser.submit(contacts, { phone: '0533 444 55 66' }, { name: 'action', value: 'update' }),
      () => passwordLogin(GULNARA),
    );
    expect(elapsedMs).toBeGreaterThanOrEqual(DEADLINE_MS * 0.9);
    expect(page.status).toBe(503);
    expect(page.html).toContain('Dış hizmete ulaşılamıyor. Lütfen biraz sonra yeniden deneyin.');
    expect(sms.received).toEqual(['POST /send']); // a timeout is not retried: the gateway may have taken it
    await sms.waitUntilIdle();

    // The number is recorded unverified (the page offers to send a code again); the code that never
    // left is gone: any answer is told to ask for a new code, not that it is wrong.
    const account = (await t.kapi.services.accounts.findByNationalId(GULSEN.nationalId))!;
    expect(account).toMatchObject({ phone: '+905334445566', phoneVerified: false });
    const again = await browser.go(`${t.issuer}/account/contacts`);
    const verified = await browser.submit(again, { code: '123456' }, { name: 'verify', value: 'phone' });
    expect(verified.status).toBe(400);
    expect(decode(verified.html)).toContain('Doğrulama kodunun süresi doldu ya da kullanıldı. Yeni bir kod isteyin.');
    expect((await t.kapi.services.accounts.findByNationalId(GULSEN.nationalId))!.phoneVerified).toBe(false);
  });

  it('smart card: an OCSP responder (and CRL point) that never answer refuse the certificate within the revocation timeouts (fail-closed)', async () => {
    const card = await softwareCard(ca, { ...AYSE, profile: 'e-signature', responderBaseUrl: ocsp.url });
    const browser = new Browser();
    const req = await authRequest(rp, { ui_locales: 'en' });
    const waiting = await startSmartCard(browser, req.url.href, 'e-signature', AYSE.nationalId, atCallback);
    const code = codeOn(waiting).replace('-', '');
    // OCSP first, then the CRL: two deadlines in a row.
    const { result: answer, elapsedMs } = await whileUpstreamHangs(
      ocsp,
      ocsp.received.length,
      2 * DEADLINE_MS + MARGIN_MS,
      () => signerPost(t.issuer, code, card),
      () => passwordLogin(GULSEN),
    );
    expect(elapsedMs).toBeGreaterThanOrEqual(2 * DEADLINE_MS * 0.9);
    expect(answer).toEqual({
      status: 403,
      body: { error: 'revocation_unknown', error_description: 'the revocation status of the certificate could not be checked' },
    });
    expect(ocsp.received).toEqual(['POST /ocsp', 'GET /crl/intermediate.crl']);
    await ocsp.waitUntilIdle();
    const page = await browser.go(waiting.url.replace(/\/method\/.*$/, ''), {}, atCallback);
    expect(page.status).toBe(400);
    expect(page.html).toContain('The revocation status of your certificate cannot be checked right now. Please try again shortly.');
  });
});
