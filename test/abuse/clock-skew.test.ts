import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import { loadConfig } from '../../src/config.js';
import { newDeviceKeys } from '../../src/device-client/client.js';
import { appToken, citizen, setTwoFactor } from '../../interactions/second-factor/test/support.js';
import { registerInstitution } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// Clock skew (KAPI_CLOCK_TOLERANCE_SECONDS): an institution whose clock is off by less than the configured
// window is served; one off by more is refused. openid-client is the institution; its `clockSkew` setting
// shifts every time claim it signs (client assertion iat/nbf/exp, DPoP proof iat), as a wrong clock would.
//
// One Kapı runs with a 30 s window (wider than oidc-provider's own default of 15 s, so the accepted cases
// prove the setting reaches the provider), one with the default 10 s. Margins are at least 10 s either
// side of every boundary, so a slow machine cannot move a case across it.

const WIDE = 30;
const ASSERTION_LIFETIME = 60; // openid-client signs client assertions valid for 60 s (exp = iat + 60)
const DPOP_MAX_AGE = 120; // src/oidc/dpop.ts

interface Institution {
  server: client.ServerMetadata;
  clientId: string;
  auth: client.ClientAuth;
}

/** The same institution as seen by a client whose clock is `skew` seconds off (positive: ahead). */
function withClock(inst: Institution, skew: number): client.Configuration {
  const config = new client.Configuration(inst.server, inst.clientId, { [client.clockSkew]: skew }, inst.auth);
  client.allowInsecureRequests(config);
  return config;
}

async function keyInstitution(t: TestKapi): Promise<Institution> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = 'skew-key';
  const metadata = await registerInstitution(t, {
    authMethod: 'private_key_jwt',
    jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] },
    clientCredentials: true,
    scopes: ['openid'],
  });
  const discovered = await client.discovery(new URL(t.issuer), String(metadata.client_id), {}, client.PrivateKeyJwt({ key: privateKey, kid }), {
    execute: [client.allowInsecureRequests],
  });
  return { server: discovered.serverMetadata(), clientId: String(metadata.client_id), auth: client.PrivateKeyJwt({ key: privateKey, kid }) };
}

/** A client_secret_basic institution with DPoP-bound tokens: only the DPoP proof carries a time. */
async function dpopInstitution(t: TestKapi): Promise<Institution> {
  const metadata = await registerInstitution(t, { authMethod: 'client_secret_basic', dpopRequired: true, clientCredentials: true, scopes: ['openid'] });
  const auth = client.ClientSecretBasic(String(metadata.client_secret));
  const discovered = await client.discovery(new URL(t.issuer), String(metadata.client_id), {}, auth, { execute: [client.allowInsecureRequests] });
  return { server: discovered.serverMetadata(), clientId: String(metadata.client_id), auth };
}

/** client_credentials with a client assertion from a clock `skew` seconds off: 'ok' or the OAuth error. */
async function assertionOutcome(inst: Institution, skew: number): Promise<string> {
  try {
    const tokens = await client.clientCredentialsGrant(withClock(inst, skew), {});
    return tokens.access_token ? 'ok' : 'no token';
  } catch (err) {
    return String((err as { error?: string }).error ?? (err as Error).message);
  }
}

/** client_credentials with a DPoP proof from a clock `skew` seconds off: 'ok' (a DPoP token) or the error. */
async function dpopOutcome(inst: Institution, skew: number): Promise<string> {
  const config = withClock(inst, skew);
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
  try {
    const tokens = await client.clientCredentialsGrant(config, {}, { DPoP });
    return tokens.token_type.toLowerCase() === 'dpop' ? 'ok' : `token_type ${tokens.token_type}`;
  } catch (err) {
    return String((err as { error?: string }).error ?? (err as Error).message);
  }
}

describe('abuse: clock skew is tolerated within the configured window and refused beyond it', () => {
  let wide: TestKapi;
  let standard: TestKapi;
  let wideKeys: Institution;
  let standardKeys: Institution;
  let wideDpop: Institution;
  let standardDpop: Institution;

  beforeAll(async () => {
    [wide, standard] = await Promise.all([startKapi({ env: { KAPI_CLOCK_TOLERANCE_SECONDS: String(WIDE) } }), startKapi()]);
    [wideKeys, standardKeys, wideDpop, standardDpop] = await Promise.all([
      keyInstitution(wide),
      keyInstitution(standard),
      dpopInstitution(wide),
      dpopInstitution(standard),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([wide?.stop(), standard?.stop()]);
  });

  it('the default window is 10 seconds', () => {
    expect(standard.kapi.config.clockToleranceSeconds).toBe(10);
    expect(wide.kapi.config.clockToleranceSeconds).toBe(WIDE);
  });

  it('private_key_jwt: an assertion from a clock ahead (nbf in the future) is accepted inside the window, invalid_client beyond it', async () => {
    expect(await assertionOutcome(wideKeys, 0)).toBe('ok');
    expect(await assertionOutcome(wideKeys, WIDE - 10)).toBe('ok');
    expect(await assertionOutcome(wideKeys, WIDE + 20)).toBe('invalid_client');
    // The same 20 s lead is beyond the default window.
    expect(await assertionOutcome(standardKeys, 0)).toBe('ok');
    expect(await assertionOutcome(standardKeys, WIDE - 10)).toBe('invalid_client');
    expect(await assertionOutcome(standardKeys, 5)).toBe('ok');
  });

  it('private_key_jwt: an assertion from a clock behind (exp already past) is accepted inside the window, invalid_client beyond it', async () => {
    // exp = now - skew + 60: expired by (skew - 60) seconds.
    expect(await assertionOutcome(wideKeys, -(ASSERTION_LIFETIME + WIDE - 10))).toBe('ok');
    expect(await assertionOutcome(wideKeys, -(ASSERTION_LIFETIME + WIDE + 20))).toBe('invalid_client');
    expect(await assertionOutcome(standardKeys, -(ASSERTION_LIFETIME + WIDE - 10))).toBe('invalid_client');
  });

  it('DPoP: a proof from a clock ahead (iat in the future) is accepted inside the window, invalid_dpop_proof beyond it', async () => {
    expect(await dpopOutcome(wideDpop, 0)).toBe('ok');
    expect(await dpopOutcome(wideDpop, WIDE - 10)).toBe('ok');
    // oidc-provider alone would accept up to 300 s either side.
    expect(await dpopOutcome(wideDpop, WIDE + 20)).toBe('invalid_dpop_proof');
    expect(await dpopOutcome(standardDpop, 0)).toBe('ok');
    expect(await dpopOutcome(standardDpop, WIDE - 10)).toBe('invalid_dpop_proof');
  });

  it('DPoP: a proof from a clock behind is accepted up to its maximum age plus the window, refused beyond', async () => {
    expect(await dpopOutcome(wideDpop, -(DPOP_MAX_AGE + WIDE - 10))).toBe('ok');
    expect(await dpopOutcome(wideDpop, -(DPOP_MAX_AGE + WIDE + 20))).toBe('invalid_dpop_proof');
    expect(await dpopOutcome(standardDpop, -(DPOP_MAX_AGE + WIDE - 10))).toBe('invalid_dpop_proof');
  });

  it("device API: the app's DPoP proof (Kapı's own check) follows the same window", async () => {
    const person = await citizen(wide, '56789123416', 'Zeynep-Saat-Farki-2000', '+905559998877');
    await setTwoFactor(wide, person.nationalId, true); // a device is registered after a two-step sign-in
    const token = await appToken(wide, person);
    const { d: _d, ...dpopPublic } = token.dpopPrivateJwk;
    const dpopKey = await importJWK(token.dpopPrivateJwk, 'ES256');
    const url = `${wide.issuer}/device/v1/devices`;
    const now = () => Math.floor(Date.now() / 1000);
    /** Registers a new device key with a DPoP proof whose iat is `skew` seconds off; the answer's status. */
    const register = async (skew: number) => {
      const keys = await newDeviceKeys();
      const keyProof = await new CompactSign(new TextEncoder().encode(JSON.stringify({ htm: 'POST', htu: url, iat: now(), jti: randomUUID() })))
        .setProtectedHeader({ alg: 'ES256', typ: 'kapi-device+jwt' })
        .sign(await importJWK(keys.privateJwk, 'ES256'));
      const dpop = await new SignJWT({ htm: 'POST', htu: url, jti: randomUUID(), ath: createHash('sha256').update(token.accessToken).digest('base64url') })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: dpopPublic })
        .setIssuedAt(now() + skew)
        .sign(dpopKey);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `DPoP ${token.accessToken}`, dpop },
        body: JSON.stringify({ name: `Telefon ${skew}`, public_jwk: keys.publicJwk, key_proof: keyProof }),
      });
      return res.status;
    };
    expect(await register(WIDE - 10)).toBe(201);
    expect(await register(WIDE + 20)).toBe(401);
    expect(await register(-(DPOP_MAX_AGE + WIDE - 10))).toBe(201);
    expect(await register(-(DPOP_MAX_AGE + WIDE + 20))).toBe(401);
  });

  it('refuses a tolerance outside 0–120 s at start', () => {
    expect(() => loadConfig({ KAPI_CLOCK_TOLERANCE_SECONDS: '600' })).toThrow(/KAPI_CLOCK_TOLERANCE_SECONDS/);
    expect(() => loadConfig({ KAPI_CLOCK_TOLERANCE_SECONDS: '-1' })).toThrow(/KAPI_CLOCK_TOLERANCE_SECONDS/);
  });
});
