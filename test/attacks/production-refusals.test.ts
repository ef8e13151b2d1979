import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Provider from 'oidc-provider';
import { PkiValidator } from '../../adapters/pki/validator.js';
import { createTestCa } from '../../keys/test-ca.js';
import { loadConfig } from '../../src/config.js';
import { log, redirectLogs } from '../../src/log.js';
import { CLIENT_METADATA, clientMetadataValidator } from '../../src/oidc/client-metadata.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { configProblems } from '../support/config.js';

// Issue 19 points 8 and 9: what a production start must refuse, and the operator's endpoints on a
// listener of their own. Each `it` is an attempt (a misconfiguration an operator could ship, or a
// stranger reading what only the operator should) and the property it defends.

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://kapi@db/kapi',
  REDIS_URL: 'redis://cache:6379',
  KAPI_ISSUER: 'https://giris.example.gov.tr',
  KAPI_TRUST_PROXY_HOPS: '1',
  KAPI_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
  KAPI_COOKIE_KEYS: `${'a'.repeat(32)},${'b'.repeat(32)}`,
  KAPI_PAIRWISE_SALT: 's'.repeat(32),
  KAPI_REGISTRY_URL: 'https://nvi.example.gov.tr/kapi',
  KAPI_REGISTRY_CERT: 'registry-client.pem',
  KAPI_REGISTRY_KEY: 'registry-client.key',
};

/** oidc-provider's own validation of a client document, with Kapı's validator of its extra metadata. */
async function registration(metadata: Record<string, unknown>, options: { production: boolean }): Promise<string> {
  const provider = new Provider('https://giris.example.gov.tr', {
    extraClientMetadata: { properties: [...CLIENT_METADATA], validator: clientMetadataValidator(options) },
  });
  try {
    await (provider.Client as unknown as { validate(m: unknown): Promise<void> }).validate({
      client_id: 'kurum',
      client_secret: 'x'.repeat(40),
      token_endpoint_auth_method: 'client_secret_basic',
      ...metadata,
    });
    return 'accepted';
  } catch (err) {
    return `refused: ${(err as { error_description?: string }).error_description ?? (err as Error).message}`;
  }
}

describe('production refuses what it must (issue 19 point 8)', () => {
  it('a production start with an https issuer but no trusted proxy hop is refused with the reason, not left to fail every /auth with a 500 (secure cookies can work)', () => {
    expect(configProblems(production)).toEqual([]);
    const found = configProblems({ ...production, KAPI_TRUST_PROXY_HOPS: '0' });
    expect(found).toEqual([expect.stringMatching(/KAPI_TRUST_PROXY_HOPS is 0.*no sign-in cookie could be set/)]);
    // The same mistake outside production fails the same way (there is no TLS listener to fall back on).
    expect(configProblems({ KAPI_ISSUER: 'https://giris.example.gov.tr' })).toEqual([expect.stringMatching(/KAPI_TRUST_PROXY_HOPS/)]);
  });

  it('KAPI_REVOCATION_MODE=fail-open in production is refused (a certificate of unknown status is never accepted there)', () => {
    expect(configProblems({ ...production, KAPI_REVOCATION_MODE: 'fail-open' })).toEqual([expect.stringMatching(/fail-open is not allowed in production/)]);
    expect(configProblems({ ...production, KAPI_REVOCATION_MODE: 'fail-closed' })).toEqual([]);
  });

  it('an institution registered in production with an http redirect URI is refused; loopback for native apps and https are accepted (codes never travel in clear)', async () => {
    const prod = { production: true };
    expect(await registration({ redirect_uris: ['http://kurum.example.gov.tr/cb'] }, prod)).toMatch(
      /^refused: redirect_uris: http:\/\/kurum\.example\.gov\.tr\/cb is plain http/,
    );
    expect(
      await registration({ redirect_uris: ['https://kurum.example.gov.tr/cb'], post_logout_redirect_uris: ['http://kurum.example.gov.tr/out'] }, prod),
    ).toMatch(/^refused: post_logout_redirect_uris/);
    expect(await registration({ redirect_uris: ['http://localhost:8080/cb'] }, prod)).toMatch(/^refused/); // a name, not the loopback address
    expect(await registration({ redirect_uris: ['https://kurum.example.gov.tr/cb'] }, prod)).toBe('accepted');
    expect(await registration({ redirect_uris: ['http://127.0.0.1:49152/cb'], token_endpoint_auth_method: 'none' }, prod)).toBe('accepted');
    expect(await registration({ redirect_uris: ['http://[::1]:49152/cb'], token_endpoint_auth_method: 'none' }, prod)).toBe('accepted');
    // Development keeps http (the demo institution and the tests run on plain http).
    expect(await registration({ redirect_uris: ['http://kurum.example.gov.tr/cb'] }, { production: false })).toBe('accepted');
  });

  it('outside production, a certificate accepted with an unknown revocation status (fail-open) is logged as a warning with the reason', async () => {
    const ca = await createTestCa({ name: 'Fail Open Test' });
    const responders = await ca.startResponders();
    const lines: string[] = [];
    const level = log.level;
    redirectLogs(
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    log.level = 'warn';
    try {
      const der = await ca.issueLeaf({
        publicKey: (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])).publicKey,
        nationalId: '10000000146',
        givenName: 'Ayşe',
        familyName: 'Yılmaz',
        profile: 'e-signature',
      });
      responders.setBehaviour('error');
      const profile = { ...ca.trustProfile('e-signature'), revocation: { mode: 'fail-open' as const, timeoutMs: 300, cacheSeconds: 0 } };
      const verdict = await new PkiValidator().validate(der, [ca.intermediateDer], profile);
      expect(verdict.ok).toBe(true);
    } finally {
      redirectLogs(undefined);
      log.level = level;
      await responders.close();
    }
    const warning = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l.msg).includes('unknown revocation status'));
    expect(warning).toMatchObject({ level: 40, profile: 'e-signature' });
    expect(String(warning?.reason)).toMatch(/OCSP http:\/\/127\.0\.0\.1/);
    expect(JSON.stringify(warning)).not.toContain('10000000146'); // no personal data
  });

  it('docker-compose publishes only the TLS proxy; Kapı, which trusts one proxy hop, is never reachable directly (no forged X-Forwarded-For)', () => {
    const compose = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
    const services: Record<string, string> = Object.fromEntries(
      compose
        .split(/\n(?= {2}[a-z-]+:\n)/)
        .slice(1)
        .map((block) => [/^ {2}([a-z-]+):/.exec(block)![1]!, block]),
    );
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['kapi', 'proxy', 'postgres', 'redis']));
    for (const [name, block] of Object.entries(services)) if (name !== 'proxy') expect(`${name}: ${/\n {4}ports:/.test(block)}`).toBe(`${name}: false`);
    expect(services.proxy).toMatch(/\n {4}ports:/);
    expect(services.kapi).toMatch(/KAPI_TRUST_PROXY_HOPS: 1\n/);
    // The image's health check asks the operator's listener (PORT + 1 inside the container).
    expect(readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8')).toMatch(/HEALTHCHECK .*http:\/\/127\.0\.0\.1:3001\/readyz/);
  });
});

describe('an admin listener (issue 19 point 9)', () => {
  let t: TestKapi;
  let admin: string;
  beforeAll(async () => {
    t = await startKapi({ env: { KAPI_ADMIN_PORT: '0' } });
    admin = `http://127.0.0.1:${t.kapi.admin()!.port}`;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("a stranger asking the public listener for /metrics or /readyz gets 404; /healthz stays public (internal figures and dependency state are the operator's)", async () => {
    for (const path of ['/metrics', '/readyz']) expect(`${path} ${(await fetch(`${t.issuer}${path}`)).status}`).toBe(`${path} 404`);
    expect((await fetch(`${t.issuer}/healthz`)).status).toBe(200);
  });

  it('the operator reads them on the admin port, which listens on loopback by default and serves nothing else', async () => {
    const ready = await fetch(`${admin}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    const metrics = await fetch(`${admin}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('kapi_http_request_duration_seconds');
    expect((await fetch(`${admin}/authorize`)).status).toBe(404);
    expect((await fetch(`${admin}/.well-known/openid-configuration`)).status).toBe(404);
    expect(t.kapi.config.admin).toEqual({ port: 0, host: '127.0.0.1' });
  });

  it('production has an admin listener by default, on loopback, at PORT + 1', () => {
    expect(loadConfig(production as NodeJS.ProcessEnv).admin).toEqual({ port: 3001, host: '127.0.0.1' });
    expect(loadConfig({ ...production, KAPI_ADMIN_PORT: '9464', KAPI_ADMIN_HOST: '10.0.0.5' } as NodeJS.ProcessEnv).admin).toEqual({
      port: 9464,
      host: '10.0.0.5',
    });
    expect(loadConfig({}).admin).toBeUndefined(); // development keeps them on the public port
  });
});
