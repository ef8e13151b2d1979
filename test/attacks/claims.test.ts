import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { SCOPE_CLAIMS } from '../../src/oidc/claims.js';
import { Browser } from '../support/browser.js';
import { authRequest, CALLBACK, exchange, registerInstitution, relyingParty, signIn } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { consentListed, institutionKey, signInKeepingConsent, whatLeft, type Seen } from './claims-support.js';

// Issue 19 point 3: an institution receives only the claims of the scopes it is registered for,
// whatever the `claims` parameter, the `scope` or a request object asks (DESIGN.md, "Releasable claims").
// The attacker is an institution registered for `openid profile`.

const ayse = DEMO_CITIZENS[0];
/** Claims of scopes the attacker is not registered for (national_id would defeat pairwise `sub`). */
const OUTSIDE = ['national_id', 'national_id_type', 'phone_number', 'phone_number_verified', 'address', 'email', 'email_verified'];
const ASK_OUTSIDE = { national_id: null, phone_number: null, address: null };

function expectNothingOutside(seen: Seen, consentHtml: string): void {
  for (const claim of OUTSIDE) {
    expect([claim, 'id_token', seen.idToken[claim]]).toEqual([claim, 'id_token', undefined]);
    expect([claim, 'userinfo', seen.userinfo[claim]]).toEqual([claim, 'userinfo', undefined]);
    expect([claim, 'introspection', seen.introspection[claim]]).toEqual([claim, 'introspection', undefined]);
  }
  expect(seen.recorded.filter((c) => OUTSIDE.includes(c))).toEqual([]);
  expect(consentListed(consentHtml).filter((c) => OUTSIDE.includes(c))).toEqual([]);
}

describe('attacks: claims beyond the registration', () => {
  let t: TestKapi;
  let accountId: string;

  beforeAll(async () => {
    t = await startKapi();
    accountId = (await t.kapi.services.accounts.findByNationalId(ayse.nationalId))!.id;
  });
  afterAll(async () => t?.stop());

  async function attacker(name: string, input: Parameters<typeof registerInstitution>[1] = {}) {
    const metadata = await registerInstitution(t, { name, scopes: ['openid', 'profile'], ...input });
    return { metadata, clientId: String(metadata.client_id) };
  }

  it('claims={"id_token":{national_id, phone_number, address}} from an institution registered for "openid profile" releases none of them anywhere (pairwise sub holds)', async () => {
    const { metadata, clientId } = await attacker('Kütüphane A');
    const rp = await relyingParty(t, metadata);
    const req = await authRequest(rp, { scope: 'openid profile', claims: JSON.stringify({ id_token: ASK_OUTSIDE }) });
    const signed = await signInKeepingConsent(new Browser(), req.url.href, ayse);
    expect(consentListed(signed.consent)).toContain('given_name'); // the registered scope is still asked for
    const seen = await whatLeft(t, rp, req, signed.callback, accountId, clientId);
    expectNothingOutside(seen, signed.consent);
    // Pairwise sub is not defeated: no identity number, and the sub is neither the account id nor
    // another institution's.
    expect(seen.idToken.sub).not.toBe(accountId);
    const other = await attacker('Kütüphane B');
    const otherRp = await relyingParty(t, other.metadata);
    const otherReq = await authRequest(otherRp, { scope: 'openid profile' });
    const otherSeen = await whatLeft(
      t,
      otherRp,
      otherReq,
      (await signInKeepingConsent(new Browser(), otherReq.url.href, ayse)).callback,
      accountId,
      other.clientId,
    );
    expect(otherSeen.idToken.sub).not.toBe(seen.idToken.sub);
  });

  it('the same claims asked for under "userinfo" are not released by userinfo (nor the ID token, nor the record)', async () => {
    const { metadata, clientId } = await attacker('Kütüphane C');
    const rp = await relyingParty(t, metadata);
    const req = await authRequest(rp, { scope: 'openid profile', claims: JSON.stringify({ userinfo: ASK_OUTSIDE, id_token: { email: { essential: true } } }) });
    const signed = await signInKeepingConsent(new Browser(), req.url.href, ayse);
    const seen = await whatLeft(t, rp, req, signed.callback, accountId, clientId);
    expectNothingOutside(seen, signed.consent);
    expect(seen.userinfo.given_name).toBe('Ayşe'); // what the registration allows still comes
  });

  it('the same claims inside a signed request object are not released', async () => {
    const key = await institutionKey();
    const { metadata, clientId } = await attacker('Kütüphane D', { authMethod: 'private_key_jwt', jwks: key.jwks });
    const rp = await relyingParty(t, metadata, key.auth);
    const verifier = client.randomPKCECodeVerifier();
    const req = { verifier, state: client.randomState(), nonce: client.randomNonce() };
    const url = await client.buildAuthorizationUrlWithJAR(
      rp,
      {
        redirect_uri: CALLBACK,
        scope: 'openid profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: req.state,
        nonce: req.nonce,
        claims: JSON.stringify({ id_token: ASK_OUTSIDE, userinfo: ASK_OUTSIDE }),
      },
      { key: key.privateKey, kid: key.kid },
    );
    const signed = await signInKeepingConsent(new Browser(), url.href, ayse);
    const seen = await whatLeft(t, rp, { ...req, url }, signed.callback, accountId, clientId);
    expectNothingOutside(seen, signed.consent);
  });

  it('a consent remembered while the institution was registered for national_id releases nothing once the registration is narrowed', async () => {
    const { metadata, clientId } = await attacker('Eski Kurum', { scopes: ['openid', 'profile', 'national_id', 'address', 'phone'] });
    const rp = await relyingParty(t, metadata);
    const wide = await authRequest(rp, { scope: 'openid profile national_id', claims: JSON.stringify({ id_token: ASK_OUTSIDE }) });
    const first = await signInKeepingConsent(new Browser(), wide.url.href, ayse);
    // Control: while registered for them, the claims asked for in the ID token do come.
    const before = await whatLeft(t, rp, wide, first.callback, accountId, clientId);
    expect(before.idToken.national_id).toBe(ayse.nationalId);
    expect(before.idToken.phone_number).toBe(ayse.phone);

    await t.kapi.services.clients.update(clientId, { scopes: ['openid', 'profile'] });
    await t.kapi.services.db('claim_releases').where({ account_id: accountId, client_id: clientId }).del();
    const narrowedRp = await relyingParty(t, { ...metadata, scope: 'openid profile' });
    const again = await authRequest(narrowedRp, { scope: 'openid profile', claims: JSON.stringify({ id_token: ASK_OUTSIDE, userinfo: ASK_OUTSIDE }) });
    const second = await signInKeepingConsent(new Browser(), again.url.href, ayse); // a new session: the remembered consent is used
    expect(second.consent).toBe('');
    expectNothingOutside(await whatLeft(t, narrowedRp, again, second.callback, accountId, clientId), second.consent);
  });

  it('a grant of the same session, made while the institution was registered for national_id, releases nothing once the registration is narrowed', async () => {
    const { metadata, clientId } = await attacker('Eski Kurum 2', { scopes: ['openid', 'profile', 'national_id', 'address', 'phone'] });
    const rp = await relyingParty(t, metadata);
    const browser = new Browser();
    const wide = await authRequest(rp, { scope: 'openid profile national_id', claims: JSON.stringify({ id_token: ASK_OUTSIDE, userinfo: ASK_OUTSIDE }) });
    expect((await whatLeft(t, rp, wide, (await signInKeepingConsent(browser, wide.url.href, ayse)).callback, accountId, clientId)).idToken.national_id).toBe(
      ayse.nationalId,
    );

    await t.kapi.services.clients.update(clientId, { scopes: ['openid', 'profile'] });
    await t.kapi.services.db('claim_releases').where({ account_id: accountId, client_id: clientId }).del();
    const again = await authRequest(rp, { scope: 'openid profile', claims: JSON.stringify({ id_token: ASK_OUTSIDE, userinfo: ASK_OUTSIDE }) });
    const second = await signInKeepingConsent(browser, again.url.href, ayse); // the session's own grant still names them
    expect(second.consent).toBe('');
    expectNothingOutside(await whatLeft(t, rp, again, second.callback, accountId, clientId), second.consent);
  });

  it('scope=national_id from an institution not registered for it is refused with invalid_scope, before any sign-in', async () => {
    const { metadata } = await attacker('Kütüphane E');
    const rp = await relyingParty(t, metadata);
    const req = await authRequest(rp, { scope: 'openid profile national_id phone address' });
    const page = await new Browser().go(req.url.href, {}, (l) => l.startsWith(CALLBACK));
    expect(new URL(page.url).searchParams.get('error')).toBe('invalid_scope');
  });

  it('asking only for claims outside the registration shows no consent page for them (nothing to grant)', async () => {
    const { metadata, clientId } = await attacker('Kütüphane F');
    const rp = await relyingParty(t, metadata);
    const browser = new Browser();
    const plain = await authRequest(rp, { scope: 'openid profile' });
    await whatLeft(t, rp, plain, (await signInKeepingConsent(browser, plain.url.href, ayse)).callback, accountId, clientId);
    // Same session, profile already granted: the extra claims must not bring a consent page that lists them.
    const extra = await authRequest(rp, { scope: 'openid profile', claims: JSON.stringify({ id_token: ASK_OUTSIDE }) });
    const signed = await signInKeepingConsent(browser, extra.url.href, ayse);
    expect(signed.consent).toBe('');
    expectNothingOutside(await whatLeft(t, rp, extra, signed.callback, accountId, clientId), signed.consent);
  });

  it('the "institutions that received your data" record names exactly what each answer carried, per channel, no more', async () => {
    const { metadata, clientId } = await attacker('Kütüphane G', { scopes: ['openid', 'profile', 'email'] });
    const rp = await relyingParty(t, metadata);
    const req = await authRequest(rp, {
      scope: 'openid profile',
      claims: JSON.stringify({ id_token: { email: null, national_id: null }, userinfo: { phone_number: null, email_verified: { essential: true } } }),
    });
    const signed = await signInKeepingConsent(new Browser(), req.url.href, ayse);
    const seen = await whatLeft(t, rp, req, signed.callback, accountId, clientId);
    const personal = new Set(
      Object.entries(SCOPE_CLAIMS)
        .filter(([scope]) => scope !== 'openid')
        .flatMap(([, claims]) => claims as readonly string[]),
    );
    const carried = (answer: Record<string, unknown>) =>
      Object.keys(answer)
        .filter((c) => personal.has(c))
        .sort();
    const rows = (await t.kapi.services.db('claim_releases').where({ account_id: accountId, client_id: clientId })) as { claims: string[]; channel: string }[];
    const recorded = (channel: string) => [...new Set(rows.filter((r) => r.channel === channel).flatMap((r) => r.claims))].sort();
    expect(carried(seen.idToken)).toEqual(['email']); // asked for there, within the registration
    expect(recorded('id_token')).toEqual(carried(seen.idToken));
    expect(carried(seen.userinfo)).toEqual(['birthdate', 'email_verified', 'family_name', 'given_name', 'name']);
    expect(recorded('userinfo')).toEqual(carried(seen.userinfo));
  });
});

// Issue 19 point 7 and DESIGN.md third round "Introspection": introspection answers `active` only to the
// token's own institution, or to the client a resource server is registered with when its resource is
// in the token's `aud`. Everyone else learns nothing (`active: false`), not even that the token exists.
describe("attacks: introspecting another institution's tokens", () => {
  const API = 'https://api.tax.example/';
  const OTHER_API = 'https://api.land-registry.example/';
  let t: TestKapi;
  let a: client.Configuration;
  let b: client.Configuration;
  let api: client.Configuration;
  let otherApi: client.Configuration;
  let pub: client.Configuration;
  let aTokens: Awaited<ReturnType<typeof exchange>>;
  let aApiToken: string;
  let aOtherApiToken: string;

  const introspect = async (as: client.Configuration, token: string) => ((await client.tokenIntrospection(as, token)) as { active: boolean }).active;

  beforeAll(async () => {
    t = await startKapi();
    const institution = (name: string, input: Parameters<typeof registerInstitution>[1] = {}) =>
      registerInstitution(t, { name, scopes: ['openid', 'profile', 'offline_access'], ...input });
    const aMeta = await institution('Kurum A', { clientCredentials: true });
    a = await relyingParty(t, aMeta);
    b = await relyingParty(t, await institution('Kurum B', { clientCredentials: true }));
    const apiMeta = await institution('Tax API', { redirectUris: [], scopes: ['openid'], clientCredentials: true });
    api = await relyingParty(t, apiMeta);
    const otherApiMeta = await institution('Land API', { redirectUris: [], scopes: ['openid'], clientCredentials: true });
    otherApi = await relyingParty(t, otherApiMeta);
    pub = await relyingParty(t, await institution('Mobil', { authMethod: 'none' }));
    await t.kapi.services.resourceServers.add({
      identifier: API,
      name: 'Tax API',
      scopes: ['tax:read'],
      tokenFormat: 'opaque',
      clientId: String(apiMeta.client_id),
    });
    await t.kapi.services.resourceServers.add({
      identifier: OTHER_API,
      name: 'Land API',
      scopes: ['land:read'],
      tokenFormat: 'opaque',
      clientId: String(otherApiMeta.client_id),
    });

    const req = await authRequest(a, { scope: 'openid profile offline_access', prompt: 'consent' });
    aTokens = await exchange(a, req, (await signIn(new Browser(), req.url.href, ayse.nationalId, ayse.password)).url);
    aApiToken = (await client.clientCredentialsGrant(a, { scope: 'tax:read', resource: API })).access_token;
    aOtherApiToken = (await client.clientCredentialsGrant(a, { scope: 'land:read', resource: OTHER_API })).access_token;
  });
  afterAll(async () => t?.stop());

  it("institution B introspecting A's access token, refresh token and API token learns nothing (active: false)", async () => {
    const answers = await Promise.all([aTokens.access_token, aTokens.refresh_token!, aApiToken].map((token) => client.tokenIntrospection(b, token)));
    for (const answer of answers) expect(answer).toEqual({ active: false });
  });

  it('A introspects its own tokens (active: true)', async () => {
    expect(await Promise.all([aTokens.access_token, aTokens.refresh_token!, aApiToken].map((token) => introspect(a, token)))).toEqual([true, true, true]);
  });

  it("a resource server's client introspects tokens whose aud is its resource, and no others", async () => {
    expect(await introspect(api, aApiToken)).toBe(true);
    expect(await introspect(api, aOtherApiToken)).toBe(false); // another API's token
    expect(await introspect(api, aTokens.access_token)).toBe(false); // A's userinfo token (no aud)
    expect(await introspect(api, aTokens.refresh_token!)).toBe(false);
    expect(await introspect(otherApi, aApiToken)).toBe(false);
    expect(await introspect(otherApi, aOtherApiToken)).toBe(true);
  });

  it("a public client (no authentication) learns nothing about another institution's token", async () => {
    expect(await introspect(pub, aTokens.access_token)).toBe(false);
    expect(await introspect(pub, aApiToken)).toBe(false);
  });

  it('a resource server registration names an existing client (a misspelt client id is refused)', async () => {
    await expect(
      t.kapi.services.resourceServers.add({ identifier: 'https://api.typo.example/', name: 'Typo', scopes: ['x'], clientId: 'no-such-client' }),
    ).rejects.toThrow(/no client no-such-client/);
  });
});
