import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import * as client from 'openid-client';
import { Browser, type Page } from '../support/browser.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../support/institution.js';
import { freePort, startKapi, type TestKapi } from '../support/kapi.js';
import { codeOn, signerPost, softwareCard, startSmartCard, startTestPki, type TestPki } from '../support/smart-card.js';
import { api, passwordSignIn, registerConsole, smartCardToken, type Console } from '../registrar/support.js';
import { AYSE, openWithPassword } from '../account/security-support.js';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { DEVICE_APP_CLIENT_ID, deviceAppRedirectUri } from '../../interactions/second-factor/device-api/client.js';
import { citizen, password, registerDevice, setTwoFactor, smsCode } from '../../interactions/second-factor/test/support.js';
import { cookieHeaderOf, silentSignIn, sleep } from './endings-support.js';

jest.setTimeout(180_000);

// Issue 19 point 6 and DESIGN.md (third round, "Endings"): a password change or reset, an office
// cancellation and "sign out everywhere" end every session and revoke every refresh token of the person,
// offline_access grants included, whatever method started them; Kapı's own APIs refuse the person's (and
// a revoked client's) older tokens at once; back-channel logout is retried for 24 hours, then abandoned.

const MEHMET = { nationalId: '12345678950', givenName: 'Mehmet Ali', familyName: 'Öztürk' };
const MEHMET_CARD = { type: 'tr_identity_card', number: 'B23C45678' };
const AYSE_RESET = { national_id: AYSE.nationalId, birthdate: '1985-04-12', document_serial: 'A12B34567', phone: '0532 111 22 33' };

describe('attacks: what ends, ends: tokens and sessions of every method (issue 19 point 6)', () => {
  let pki: TestPki;
  let t: TestKapi;
  let rp: client.Configuration;
  let registrarConsole: Console;
  let ayse: { nationalId: string; password: string } = { nationalId: AYSE.nationalId, password: AYSE.password };
  let n = 0;
  const nextPassword = () => `Baska-Bir-Sifre-${++n}-Kapi`;

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
    rp = await relyingParty(t, await registerInstitution(t, { name: 'Vergi Dairesi' }));
    registrarConsole = await registerConsole(t, { minAcr: 'high' });
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  /** A refresh token the institution keeps (offline_access, consent asked), from a password sign-in. */
  async function offlineToken(citizenLogin: { nationalId: string; password: string }): Promise<string> {
    const browser = new Browser();
    const req = await authRequest(rp, { scope: 'openid offline_access', prompt: 'consent' });
    let page: Page = await passwordSignIn(browser, req.url.href, citizenLogin.nationalId, citizenLogin.password);
    if (!atCallback(page.url)) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    const tokens = await exchange(rp, req, page.url);
    expect(tokens.refresh_token).toBeDefined();
    return tokens.refresh_token!;
  }

  /** A session at the institution proved with e-signature (no password in it); returns its cookie. */
  async function eSignatureSession(person: { nationalId: string; givenName: string; familyName: string }): Promise<string> {
    const browser = new Browser();
    const waiting = await startSmartCard(browser, (await authRequest(rp)).url.href, 'e-signature', person.nationalId, atCallback);
    const signed = await signerPost(t.issuer, codeOn(waiting).replace('-', ''), await softwareCard(pki.ca, { ...person, profile: 'e-signature' }));
    expect(signed.status).toBe(200);
    let page = await browser.go(waiting.url.replace(/\/method\/.*$/, ''), {}, atCallback);
    if (!atCallback(page.url)) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(atCallback(page.url)).toBe(true);
    const cookie = cookieHeaderOf(t, browser);
    expect((await silentSignIn(t, cookie, rp)).code).toBeDefined();
    return cookie;
  }

  /** The e-Devlet app's DPoP-bound token with offline_access (its grant outlives a plain logout). */
  async function offlineAppToken(person: { nationalId: string; password: string; phone: string }): Promise<{ accessToken: string; dpopPrivateJwk: JWK }> {
    const config = await client.discovery(new URL(t.issuer), DEVICE_APP_CLIENT_ID, { id_token_signed_response_alg: 'RS256' }, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    const keyPair = await generateKeyPair('ES256', { extractable: true });
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const redirect = deviceAppRedirectUri(t.issuer);
    const atApp = (l: string) => l.startsWith(redirect);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirect,
      scope: 'openid offline_access',
      prompt: 'consent',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const browser = new Browser('e-Devlet/3.0 (kapi-e2e)');
    let page = await password(browser, url.href, person.nationalId, person.password, atApp);
    if (!atApp(page.url) && page.html.includes('name="code"'))
      page = await browser.submit(page, { code: smsCode(t, person.phone) }, { name: 'action', value: 'verify' }, atApp);
    if (!atApp(page.url) && page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atApp);
    if (!atApp(page.url)) throw new Error(`the app sign-in did not finish: ${page.status} ${page.url}`);
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url), { pkceCodeVerifier: verifier, expectedState: state }, undefined, {
      DPoP: client.getDPoPHandle(config, keyPair),
    });
    expect(tokens.refresh_token).toBeDefined();
    return { accessToken: tokens.access_token, dpopPrivateJwk: await exportJWK(keyPair.privateKey) };
  }

  async function refreshRefused(refreshToken: string): Promise<string | undefined> {
    try {
      await client.refreshTokenGrant(rp, refreshToken);
      return undefined;
    } catch (err) {
      return (err as { error?: string }).error ?? String(err);
    }
  }

  async function expectEverythingEnded(accountId: string, refreshToken: string, eSignatureCookie: string, except?: string): Promise<void> {
    // The institution's offline_access refresh token is dead...
    expect(await refreshRefused(refreshToken)).toBe('invalid_grant');
    // ...and so is the session proved with e-signature, not with the password.
    expect((await silentSignIn(t, eSignatureCookie, rp)).error).toBe('login_required');
    expect((await t.kapi.services.sessions.listActive(accountId)).map((s) => s.uid).filter((uid) => uid !== except)).toEqual([]);
    // No grant or refresh token of the person is left in Postgres.
    const left = await t.kapi.services
      .db('oidc_models')
      .whereIn('model', ['Grant', 'RefreshToken'])
      .andWhereRaw(`payload->>'accountId' = ?`, [accountId])
      .count<{ count: string }[]>('* as count');
    expect(Number(left[0]!.count)).toBe(0);
  }

  // Tokens carry whole seconds (iat): one issued in the second of a revocation is refused with the older
  // ones, so a test that signs in again right after a revocation waits for the next second.
  const nextSecond = () => sleep(1050 - (Date.now() % 1000));

  const accountOf = async (nationalId: string) => (await t.kapi.services.accounts.findByNationalId(nationalId))!.id;

  it('"sign out everywhere" revokes the offline_access refresh token an institution holds, and ends the e-signature session', async () => {
    // It works before (refresh tokens rotate: the new one is what the institution keeps).
    const refreshToken = (await client.refreshTokenGrant(rp, await offlineToken(ayse))).refresh_token!;
    const eSignature = await eSignatureSession(AYSE);
    const owner = new Browser();
    const page = await openWithPassword(t, owner, '/account/sessions', ayse);
    await owner.submit(page, {}, { name: 'end_all', value: '1' });
    await expectEverythingEnded(await accountOf(AYSE.nationalId), refreshToken, eSignature);
  });

  it('a password change revokes offline_access refresh tokens and ends every other session, the e-signature one too', async () => {
    const refreshToken = await offlineToken(ayse);
    const eSignature = await eSignatureSession(AYSE);
    const owner = new Browser();
    const page = await openWithPassword(t, owner, '/account/password', ayse);
    const next = nextPassword();
    await owner.submit(page, { current_password: ayse.password, new_password: next, new_password_confirm: next }, { name: 'submit', value: 'change' });
    ayse = { ...ayse, password: next };
    const sessions = await t.kapi.services.sessions.listActive(await accountOf(AYSE.nationalId));
    expect(sessions).toHaveLength(1); // the one that made the change
    await expectEverythingEnded(await accountOf(AYSE.nationalId), refreshToken, eSignature, sessions[0]!.uid);
    expect((await owner.request(`${t.issuer}/account`)).status).toBe(200);
  });

  it('a password reset revokes offline_access refresh tokens and ends every session, whatever method started it', async () => {
    const refreshToken = await offlineToken(ayse);
    const eSignature = await eSignatureSession(AYSE);
    const browser = new Browser();
    const codePage = await browser.submit(await browser.go(`${t.issuer}/account/reset`), AYSE_RESET, { name: 'submit', value: 'start' });
    const code = /\b(\d{6})\b/.exec(t.kapi.messaging.smsOutbox!.latest('+905321112233')!.text)![1]!;
    const pwPage = await browser.submit(codePage, { sms_code: code }, { name: 'submit', value: 'verify' });
    const next = nextPassword();
    expect((await browser.submit(pwPage, { new_password: next, new_password_confirm: next }, { name: 'submit', value: 'save' })).url).toBe(
      `${t.issuer}/account/reset/done`,
    );
    ayse = { ...ayse, password: next };
    await expectEverythingEnded(await accountOf(AYSE.nationalId), refreshToken, eSignature);
  });

  it('an office cancellation revokes offline_access refresh tokens and ends every session, the e-signature one too', async () => {
    await nextSecond();
    const registrar = await smartCardToken(t, pki, registrarConsole, AYSE.nationalId);
    const issued = await api(t, registrar, 'POST', '/issuances', { national_id: MEHMET.nationalId, documents: [MEHMET_CARD] });
    expect(issued.status).toBe(201);
    const browser = new Browser();
    const first = await passwordSignIn(browser, (await authRequest(rp)).url.href, MEHMET.nationalId, issued.body.password as string);
    const own = nextPassword();
    await browser.submit(first, { new_password: own, new_password_confirm: own }, { name: 'submit', value: 'change' }, atCallback);
    const refreshToken = await offlineToken({ nationalId: MEHMET.nationalId, password: own });
    const eSignature = await eSignatureSession(MEHMET);
    const cancelled = await api(t, registrar, 'POST', '/cancellations', { national_id: MEHMET.nationalId, documents: [MEHMET_CARD] });
    expect(cancelled.status).toBe(201);
    await expectEverythingEnded(await accountOf(MEHMET.nationalId), refreshToken, eSignature);
  });

  it('a registrar API token stops working at once when its registrar signs out everywhere, not at its expiry', async () => {
    await nextSecond();
    const registrar = await smartCardToken(t, pki, registrarConsole, AYSE.nationalId);
    expect((await api(t, registrar, 'GET', '/me')).status).toBe(200);
    const owner = new Browser();
    await owner.submit(await openWithPassword(t, owner, '/account/sessions', ayse), {}, { name: 'end_all', value: '1' });
    const after = await api(t, registrar, 'GET', '/me');
    expect(after.status).toBe(401);
    // A new sign-in gives a token that works again.
    await nextSecond();
    expect((await api(t, await smartCardToken(t, pki, registrarConsole, AYSE.nationalId), 'GET', '/me')).status).toBe(200);
  });

  it("every token of a console client stops working at once when the client's tokens are revoked", async () => {
    await nextSecond();
    const registrar = await smartCardToken(t, pki, registrarConsole, AYSE.nationalId);
    expect((await api(t, registrar, 'GET', '/me')).status).toBe(200);
    // What `kapi clients revoke-tokens <client_id>` does (read through a cast so that this file compiles
    // on code without the service, where the test then fails here).
    const revocations = (t.kapi.services as unknown as { revocations?: { revokeClient(clientId: string, reason: string): Promise<number> } }).revocations;
    expect(revocations).toBeDefined();
    await revocations!.revokeClient(registrarConsole.clientId, 'client_revoked');
    expect((await api(t, registrar, 'GET', '/me')).status).toBe(401);
  });

  it('the e-Devlet app\'s access token is refused by the device API after "sign out everywhere"', async () => {
    const person = await citizen(t, '34567891238', 'Mavi-Kart-Sahibi-68', '+905551112233');
    await setTwoFactor(t, person.nationalId, true);
    const token = await offlineAppToken(person);
    const owner = new Browser();
    const page = await openWithPassword(t, owner, '/account/sessions', person);
    if (!page.html.includes('end_all')) {
      // Two-factor is on: the account pages' sign-in has a second stage (the SMS code).
      const code = /\b(\d{6})\b/.exec(t.kapi.messaging.smsOutbox!.latest(person.phone)!.text)![1]!;
      const done = await owner.submit(page, { code }, { name: 'action', value: 'verify' });
      await owner.submit(done, {}, { name: 'end_all', value: '1' });
    } else {
      await owner.submit(page, {}, { name: 'end_all', value: '1' });
    }
    await expect(registerDevice(t, token)).rejects.toThrow(/401|revoked|invalid_token/);
  });
});

describe('attacks: back-channel logout is retried for 24 hours, then recorded as abandoned', () => {
  let t: TestKapi;
  let down: Server;
  let clientId: string;

  beforeAll(async () => {
    t = await startKapi();
    // An institution whose back-channel logout endpoint always fails.
    const port = await freePort();
    down = createServer((_req, res) => res.writeHead(503).end());
    await new Promise<void>((resolve) => down.listen(port, '127.0.0.1', resolve));
    clientId = (await registerInstitution(t, { backchannelLogoutUri: `http://127.0.0.1:${port}/logout` })).client_id as string;
  });
  afterAll(async () => {
    await t?.stop();
    await new Promise((resolve) => down?.close(resolve));
  });

  async function queued(hoursAgo: number, attempts: number): Promise<number> {
    const accountId = (await t.kapi.services.accounts.findByNationalId(AYSE.nationalId))!.id;
    const [row] = (await t.kapi.services
      .db('logout_outbox')
      .insert({
        client_id: clientId,
        account_id: accountId,
        sid: 'sid-1',
        attempts,
        last_error: 'earlier failure',
        next_attempt_at: new Date(Date.now() - 1000),
        created_at: new Date(Date.now() - hoursAgo * 3600_000),
      })
      .returning('id')) as { id: number }[];
    return row!.id;
  }

  it('a delivery that failed 12 times in 5 hours is still retried (next in at most an hour)', async () => {
    const id = await queued(5, 12);
    await t.kapi.outbox.runOnce();
    const row = await t.kapi.services.db('logout_outbox').where({ id }).first();
    expect(row.abandoned_at).toBeNull();
    expect(row.attempts).toBe(13);
    expect(new Date(row.next_attempt_at).getTime()).toBeLessThanOrEqual(Date.now() + 3600_000);
  });

  it('a delivery still failing 24 hours after the first failure is recorded as abandoned, with its last error', async () => {
    const id = await queued(24, 20);
    await t.kapi.outbox.runOnce();
    const row = await t.kapi.services.db('logout_outbox').where({ id }).first();
    expect(row.abandoned_at).not.toBeNull();
    expect(row.last_error).toMatch(/503|status|fail/i);
    // Abandoned rows are never claimed again.
    const attempts = row.attempts;
    await t.kapi.services
      .db('logout_outbox')
      .where({ id })
      .update({ next_attempt_at: new Date(Date.now() - 1000) });
    await t.kapi.outbox.runOnce();
    expect((await t.kapi.services.db('logout_outbox').where({ id }).first()).attempts).toBe(attempts);
  });
});
