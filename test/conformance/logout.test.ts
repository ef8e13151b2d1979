import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { backchannelReceiver, callbackParams, loginAndExchange, type LoggedIn } from '../support/conformance-op.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { waitFor } from '../support/wait.js';

// RP-Initiated Logout plan (oidcc-rp-initiated-logout-certification-test-plan) and Back-Channel Logout plan
// (oidcc-backchannel-rp-initiated-logout-certification-test-plan), module by module.

const ayse = DEMO_CITIZENS[0];
const BYE = 'https://institution.example/post_logout_redirect';
const atBye = (l: string) => l.startsWith('https://institution.example/post_logout_redirect');
const leavesKapi = (issuer: string) => (l: string) => !l.startsWith(issuer);

describe('conformance: RP-initiated and back-channel logout', () => {
  let t: TestKapi;
  let metadata: Record<string, unknown>;
  let rp: client.Configuration;
  let receiver: Awaited<ReturnType<typeof backchannelReceiver>>;

  beforeAll(async () => {
    receiver = await backchannelReceiver();
    t = await startKapi();
    metadata = await registerInstitution(t, { backchannelLogoutUri: receiver.url, postLogoutRedirectUris: [BYE] });
    rp = await relyingParty(t, metadata);
  });
  afterAll(async () => {
    await t?.stop();
    await receiver?.close();
  });

  /** Confirms the logout question when Kapı asks it; returns the page after it. */
  async function confirmLogout(session: LoggedIn, endUrl: string) {
    const first = await session.browser.go(endUrl, {}, leavesKapi(t.issuer));
    if (!first.html.includes('logout-yes')) return first;
    return session.browser.submit(first, {}, { name: 'logout', value: 'yes' }, leavesKapi(t.issuer));
  }

  async function stillLoggedIn(session: LoggedIn): Promise<boolean> {
    const silent = await authRequest(rp, { prompt: 'none' });
    const answer = await session.browser.go(silent.url.href, {}, atCallback);
    return callbackParams(answer.url).get('code') !== null;
  }

  it('oidcc-rp-initiated-logout: id_token_hint + post_logout_redirect_uri + state: back to the institution with state; prompt=none then fails', async () => {
    const session = await loginAndExchange(rp, ayse);
    const end = client.buildEndSessionUrl(rp, { id_token_hint: session.tokens.id_token!, post_logout_redirect_uri: BYE, state: 'logout-state-1' });
    const page = await confirmLogout(session, end.href);
    expect(atBye(page.url)).toBe(true);
    const back = new URL(page.url);
    expect(back.searchParams.get('state')).toBe('logout-state-1');
    expect([...back.searchParams.keys()]).toEqual(['state']); // no unexpected parameters
    expect(await stillLoggedIn(session)).toBe(false);
  });

  it('oidcc-rp-initiated-logout-bad-post-logout-redirect-uri: an unregistered post_logout_redirect_uri is never followed', async () => {
    const session = await loginAndExchange(rp, ayse);
    const end = client.buildEndSessionUrl(rp, {
      id_token_hint: session.tokens.id_token!,
      post_logout_redirect_uri: 'https://attacker.example/bye',
      state: 's',
    });
    const page = await session.browser.go(end.href, {}, leavesKapi(t.issuer));
    expect(page.url.startsWith(t.issuer)).toBe(true);
    expect(page.status).toBe(400);
    expect(await stillLoggedIn(session)).toBe(true);
  });

  it('oidcc-rp-initiated-logout-modified-id-token-hint: an id_token_hint with a broken signature is refused', async () => {
    const session = await loginAndExchange(rp, ayse);
    const [h, p, s] = session.tokens.id_token!.split('.') as [string, string, string];
    const tampered = `${h}.${p}.${s.slice(0, -4)}${s.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const end = client.buildEndSessionUrl(rp, { id_token_hint: tampered, post_logout_redirect_uri: BYE, state: 's' });
    const page = await session.browser.go(end.href, {}, leavesKapi(t.issuer));
    expect(page.url.startsWith(t.issuer)).toBe(true);
    expect(page.status).toBe(400);
    expect(await stillLoggedIn(session)).toBe(true);
  });

  it('oidcc-rp-initiated-logout-no-id-token-hint: post_logout_redirect_uri without id_token_hint or client_id is not followed', async () => {
    const session = await loginAndExchange(rp, ayse);
    const page = await session.browser.go(
      `${t.issuer}/session/end?${new URLSearchParams({ post_logout_redirect_uri: BYE, state: 's' })}`,
      {},
      leavesKapi(t.issuer),
    );
    expect(page.url.startsWith(t.issuer)).toBe(true);
    expect(atBye(page.url)).toBe(false);
  });

  it('oidcc-rp-initiated-logout-no-params: the person is asked, then logged out, and stays at Kapı', async () => {
    const session = await loginAndExchange(rp, ayse);
    const page = await confirmLogout(session, `${t.issuer}/session/end`);
    expect(page.url.startsWith(t.issuer)).toBe(true);
    expect(page.status).toBe(200);
    expect(await stillLoggedIn(session)).toBe(false);
  });

  it("oidcc-rp-initiated-logout-no-post-logout-redirect-uri: with only id_token_hint the logout ends on Kapı's own page", async () => {
    const session = await loginAndExchange(rp, ayse);
    const page = await confirmLogout(session, client.buildEndSessionUrl(rp, { id_token_hint: session.tokens.id_token! }).href);
    expect(page.url.startsWith(t.issuer)).toBe(true);
    expect(page.html).toContain('role="status"');
    expect(await stillLoggedIn(session)).toBe(false);
  });

  it('oidcc-rp-initiated-logout-no-state: without state the redirect carries no state', async () => {
    const session = await loginAndExchange(rp, ayse);
    const page = await confirmLogout(session, client.buildEndSessionUrl(rp, { id_token_hint: session.tokens.id_token!, post_logout_redirect_uri: BYE }).href);
    expect(atBye(page.url)).toBe(true);
    expect(new URL(page.url).searchParams.has('state')).toBe(false);
  });

  it('oidcc-rp-initiated-logout-only-state: state alone does not send the person anywhere', async () => {
    const session = await loginAndExchange(rp, ayse);
    const page = await confirmLogout(session, `${t.issuer}/session/end?state=only-state`);
    expect(page.url.startsWith(t.issuer)).toBe(true);
    expect(await stillLoggedIn(session)).toBe(false);
  });

  it('oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri: a query added to the registered URI is refused', async () => {
    const session = await loginAndExchange(rp, ayse);
    const end = client.buildEndSessionUrl(rp, { id_token_hint: session.tokens.id_token!, post_logout_redirect_uri: `${BYE}?added=1` });
    const page = await session.browser.go(end.href, {}, leavesKapi(t.issuer));
    expect(page.url.startsWith(t.issuer)).toBe(true);
    expect(page.status).toBe(400);
  });

  it('oidcc-backchannel-rp-initiated-logout: a signed logout token with sub, sid, events, jti, no nonce, sent form-encoded', async () => {
    receiver.requests.length = 0;
    const session = await loginAndExchange(rp, ayse);
    const idClaims = session.tokens.claims()!;
    const page = await confirmLogout(
      session,
      client.buildEndSessionUrl(rp, { id_token_hint: session.tokens.id_token!, post_logout_redirect_uri: BYE, state: 'bc' }).href,
    );
    expect(new URL(page.url).searchParams.get('state')).toBe('bc');
    await waitFor(() => receiver.requests.length === 1);
    const request = receiver.requests[0]!;
    expect(request.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect([...request.body.keys()]).toEqual(['logout_token']); // nothing else in the request
    const token = request.body.get('logout_token')!;
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(`${t.issuer}/jwks`)), {
      issuer: t.issuer,
      audience: String(metadata.client_id),
    });
    expect(protectedHeader.typ).toBe('logout+jwt');
    expect(payload.sub).toBe(idClaims.sub);
    expect(payload.sid).toBe(idClaims.sid);
    expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });
    expect(typeof payload.jti).toBe('string');
    expect(typeof payload.iat).toBe('number');
    expect(payload.nonce).toBeUndefined();
    expect(decodeJwt(token).exp ?? 0).toBeGreaterThan(Date.now() / 1000);
    expect(await stillLoggedIn(session)).toBe(false);
  });

  it('backchannel: a logout of one session tells only the institutions of that session', async () => {
    receiver.requests.length = 0;
    const mine = await loginAndExchange(rp, ayse);
    const other = await loginAndExchange(rp, ayse, {}, new Browser());
    await confirmLogout(mine, client.buildEndSessionUrl(rp, { id_token_hint: mine.tokens.id_token! }).href);
    await waitFor(() => receiver.requests.length === 1);
    expect(decodeJwt(receiver.requests[0]!.body.get('logout_token')!).sid).toBe(mine.tokens.claims()!.sid);
    expect(await stillLoggedIn(other)).toBe(true);
  });
});
