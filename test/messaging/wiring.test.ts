import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { createMessaging } from '../../src/messaging-wiring.js';
import { configProblems } from '../support/config.js';

// Which SMS and mail clients a configuration gets.

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://kapi@db/kapi',
  REDIS_URL: 'redis://cache:6379',
  KAPI_ISSUER: 'https://login.example.gov',
  KAPI_TRUST_PROXY_HOPS: '1',
  KAPI_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
  KAPI_COOKIE_KEYS: `${'a'.repeat(32)},${'b'.repeat(32)}`,
  KAPI_PAIRWISE_SALT: 's'.repeat(32),
  KAPI_REGISTRY_URL: 'https://nvi.example.gov.tr/kapi',
  KAPI_REGISTRY_CERT: 'registry-client.pem',
  KAPI_REGISTRY_KEY: 'registry-client.key',
};

describe('messaging wiring', () => {
  it('uses the outboxes on the embedded default', () => {
    const m = createMessaging(loadConfig({ NODE_ENV: 'test', DATA_DIR: ':memory:' }));
    expect(m.sms.kind).toBe('outbox');
    expect(m.mail.kind).toBe('outbox');
    expect(m.smsOutbox).toBeDefined();
    m.close();
  });

  it('uses the real clients when configured, even where simulators are allowed', () => {
    const m = createMessaging(
      loadConfig({
        NODE_ENV: 'test',
        DATA_DIR: ':memory:',
        KAPI_SMS_GATEWAY_URL: 'http://127.0.0.1:9/v1/messages',
        KAPI_SMTP_HOST: '127.0.0.1',
        KAPI_SMTP_TLS: 'none',
      }),
    );
    expect(m.sms.kind).toBe('http-gateway');
    expect(m.mail.kind).toBe('smtp');
    expect(m.smsOutbox).toBeUndefined();
    m.close();
  });

  it('starts production without a gateway, but every send fails with upstream_unavailable', async () => {
    const m = createMessaging(loadConfig(production));
    expect(m.sms.kind).toBe('unconfigured');
    expect(m.smsOutbox).toBeUndefined();
    await expect(m.sms.send({ to: '+905321112233', text: 'x', purpose: 'notification' })).rejects.toMatchObject({ code: 'upstream_unavailable' });
    await expect(m.mail.send({ to: 'a@example.org', subject: 's', text: 'x', purpose: 'notification' })).rejects.toMatchObject({
      code: 'upstream_unavailable',
    });
  });

  it('refuses plain-text gateways in production and two ways to authenticate', () => {
    expect(configProblems({ ...production, KAPI_SMS_GATEWAY_URL: 'http://sms.example/v1' }).join('\n')).toMatch(/KAPI_SMS_GATEWAY_URL must be an https/);
    expect(configProblems({ ...production, KAPI_SMTP_HOST: 'mail.example', KAPI_SMTP_TLS: 'none' }).join('\n')).toMatch(/KAPI_SMTP_TLS=none/);
    expect(
      configProblems({ NODE_ENV: 'test', KAPI_SMS_GATEWAY_URL: 'https://sms.example/v1', KAPI_SMS_GATEWAY_TOKEN: 't', KAPI_SMS_GATEWAY_USER: 'u' }).join('\n'),
    ).toMatch(/choose one way/);
    expect(configProblems({ ...production, KAPI_SMS_GATEWAY_URL: 'https://sms.example/v1', KAPI_SMTP_HOST: 'mail.example' })).toEqual([]);
    expect(loadConfig({ ...production, KAPI_SMTP_HOST: 'mail.example', KAPI_SMTP_TLS: 'implicit' } as NodeJS.ProcessEnv).messaging.smtp?.port).toBe(465);
  });
});
