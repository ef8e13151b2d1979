import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { redirectLogs } from '../../src/log.js';
import { Browser } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty, signIn } from '../support/institution.js';

const ayse = DEMO_CITIZENS[0];

describe('logs', () => {
  let t: TestKapi;
  const lines: string[] = [];
  beforeAll(async () => {
    redirectLogs({ write: (line: string) => void lines.push(line) });
    t = await startKapi({ env: { KAPI_LOG_LEVEL: 'trace' } });
  });
  afterAll(async () => {
    await t?.stop();
    redirectLogs(undefined);
  });

  it('never contain a password, a code, a token or a client secret, even at trace level', async () => {
    const metadata = await registerInstitution(t, { scopes: ['openid', 'profile', 'offline_access'] });
    const rp = await relyingParty(t, metadata);
    const browser = new Browser();
    const form = await browser.go((await authRequest(rp, { scope: 'openid profile' })).url.href, {}, atCallback);
    await browser.submit(form, { national_id: ayse.nationalId, password: 'a-wrong-password-123' }, { name: 'submit', value: 'login' }, atCallback);
    const req = await authRequest(rp, { scope: 'openid profile offline_access', prompt: 'consent' });
    const page = await signIn(browser, req.url.href, ayse.nationalId, ayse.password);
    const code = new URL(page.url).searchParams.get('code')!;
    const tokens = await exchange(rp, req, page.url);
    await client.refreshTokenGrant(rp, tokens.refresh_token!);
    await client.refreshTokenGrant(rp, tokens.refresh_token!).catch(() => undefined); // a refused reuse is logged
    await exchange(rp, req, page.url).catch(() => undefined); // so is a replayed code
    await new Promise((r) => setTimeout(r, 100));

    const all = lines.join('');
    expect(lines.length).toBeGreaterThan(3); // the logger did write
    for (const secret of [
      ayse.password,
      'a-wrong-password-123',
      code,
      tokens.access_token,
      tokens.refresh_token!,
      tokens.id_token!,
      metadata.client_secret as string,
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});
