import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { startKapi, type TestKapi } from '../support/kapi.js';

// OpenID Connect Config OP plan (oidcc-config-certification-test-plan): oidcc-discovery-endpoint-verification
// and the discovery checks the logout plans add. openid-client's discovery() is the relying party's view;
// the raw document is checked field by field as the suite's conditions do.

describe('conformance: Config OP', () => {
  let t: TestKapi;
  let doc: Record<string, unknown>;

  beforeAll(async () => {
    t = await startKapi();
    const res = await fetch(`${t.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = (await res.json()) as Record<string, unknown>;
  });
  afterAll(async () => t?.stop());

  const list = (name: string) => doc[name] as string[];

  it('oidcc-discovery-endpoint-verification: issuer matches the discovery URL and openid-client accepts the document', async () => {
    expect(doc.issuer).toBe(t.issuer);
    const rp = await client.discovery(new URL(t.issuer), 'any-client', undefined, client.None(), { execute: [client.allowInsecureRequests] });
    expect(rp.serverMetadata().issuer).toBe(t.issuer);
  });

  it('oidcc-discovery-endpoint-verification: authorization, token, userinfo and jwks endpoints are under the issuer', () => {
    for (const name of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri']) {
      expect(typeof doc[name]).toBe('string');
      expect(String(doc[name]).startsWith(`${t.issuer}/`)).toBe(true);
    }
  });

  it('oidcc-discovery-endpoint-verification: the JWKS holds only public signing keys with kid, use/alg and no private parts', async () => {
    const jwks = (await (await fetch(String(doc.jwks_uri))).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    const kids = new Set<string>();
    for (const key of jwks.keys) {
      expect(typeof key.kid).toBe('string');
      expect(kids.has(String(key.kid))).toBe(false); // kids are unique
      kids.add(String(key.kid));
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key[secret]).toBeUndefined();
      expect(['EC', 'RSA', 'OKP']).toContain(key.kty);
    }
  });

  it('oidcc-discovery-endpoint-verification: scopes_supported contains openid; response_types_supported is code only', () => {
    expect(list('scopes_supported')).toContain('openid');
    expect(list('response_types_supported')).toEqual(['code']);
  });

  it('oidcc-discovery-endpoint-verification: subject types, ID token algorithms (RS256 present, none absent)', () => {
    expect(list('subject_types_supported')).toEqual(expect.arrayContaining(['public', 'pairwise']));
    expect(list('id_token_signing_alg_values_supported')).toContain('RS256');
    expect(list('id_token_signing_alg_values_supported')).not.toContain('none');
  });

  it('oidcc-discovery-endpoint-verification: claims_parameter_supported and claims_supported list the released claims', () => {
    expect(doc.claims_parameter_supported).toBe(true);
    expect(list('claims_supported')).toEqual(
      expect.arrayContaining(['sub', 'acr', 'amr', 'auth_time', 'name', 'given_name', 'family_name', 'email', 'phone_number', 'address']),
    );
  });

  it('oidcc-discovery-endpoint-verification: only S256 PKCE is offered; grant types and auth methods are the ones Kapı takes', () => {
    expect(list('code_challenge_methods_supported')).toEqual(['S256']);
    expect(list('grant_types_supported')).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));
    expect(list('grant_types_supported')).not.toContain('implicit');
    expect(list('token_endpoint_auth_methods_supported')).toEqual(expect.arrayContaining(['private_key_jwt', 'client_secret_basic']));
    expect(list('acr_values_supported')).toEqual(['low', 'substantial', 'high']);
  });

  it('oidcc-discovery-endpoint-verification: behind the TLS proxy every endpoint is https under the issuer', async () => {
    // oidc-provider builds endpoint URLs from the request (Host, and X-Forwarded-Proto from trusted
    // proxies): a deployment puts Kapı behind its TLS proxy with KAPI_TRUST_PROXY_HOPS=1.
    const behind = await startKapi({ env: { KAPI_ISSUER: 'https://giris.example.gov.tr', KAPI_TRUST_PROXY_HOPS: '1' } });
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: behind.kapi.config.port,
            path: '/.well-known/openid-configuration',
            headers: { host: 'giris.example.gov.tr', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end();
      });
      const remote = JSON.parse(body) as Record<string, unknown>;
      const endpoints = Object.entries(remote).filter(([name]) => name.endsWith('_endpoint') || name === 'jwks_uri');
      expect(endpoints.length).toBeGreaterThan(4);
      expect(endpoints.filter(([, value]) => !String(value).startsWith('https://giris.example.gov.tr/'))).toEqual([]);
    } finally {
      await behind.stop();
    }
  });

  it('oidcc-rp-initiated-logout-discovery-endpoint-verification: end_session_endpoint is advertised', () => {
    expect(String(doc.end_session_endpoint).startsWith(`${t.issuer}/`)).toBe(true);
  });

  it('oidcc-backchannel-logout-discovery-endpoint-verification: back-channel logout with sessions is advertised', () => {
    expect(doc.backchannel_logout_supported).toBe(true);
    expect(doc.backchannel_logout_session_supported).toBe(true);
  });

  it('fapi2-discovery: PAR, DPoP algorithms and the issuer identification response parameter are advertised', () => {
    expect(String(doc.pushed_authorization_request_endpoint).startsWith(`${t.issuer}/`)).toBe(true);
    expect(list('dpop_signing_alg_values_supported')).toEqual(expect.arrayContaining(['ES256', 'PS256']));
    expect(doc.authorization_response_iss_parameter_supported).toBe(true);
  });
});
