import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { freePort, startKapi, type TestKapi } from '../support/kapi.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty, signIn } from '../support/institution.js';
import { waitFor } from '../support/wait.js';

const ayse = DEMO_CITIZENS[0];
const mehmet = DEMO_CITIZENS[1]; // office-issued one-time password

describe('levels of assurance, one-time passwords, logout', () => {
  let t: TestKapi;
  let metadata: Record<string, unknown>;
  let rp: client.Configuration;
  let backchannel: Server;
  const logoutTokens: string[] = [];
  let backchannelUp = true;
  let backchannelUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    backchannel = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (!backchannelUp) {
          res.statusCode = 503;
          return res.end();
        }
        logoutTokens.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.statusCode = 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => backchannel.listen(port, '127.0.0.1', resolve));
    backchannelUrl = `http://127.0.0.1:${port}/logout`;
    t = await startKapi();
    metadata = await registerInstitution(t, { backchannelLogoutUri: backchannelUrl, postLogoutRedirectUris: ['https://institution.example/bye'] });
    rp = await relyingParty(t, metadata);
  });
  afterAll(async () => {
    await t?.stop();
    await new Promise((resolve) => backchannel?.close(resolve));
  });

  it('refuses a level no method can reach, with a page and then unmet_authentication_requirements', async () => {
    const browser = new Browser();
    // Here no method reaches `high` (no card trust anchors, no mobile operators); `substantial` would be
    // reachable with a password and a second factor, which the engine offers before it knows the person.
    const req = await authRequest(rp, { acr_values: 'high' });
    const page = await browser.go(req.url.href, {}, atCallback);
    expect(page.status).toBe(403);
    expect(page.html).toContain('yüksek');
    const back = await browser.submit(page, {}, { name: 'reason', value: 'level_unreachable' }, atCallback);
    expect(new URL(back.url).searchParams.get('error')).toBe('unmet_authentication_requirements');
  });

  it('treats an essential acr claim like acr_values, by level', async () => {
    const req = await authRequest(rp, { claims: JSON.stringify({ id_token: { acr: { essential: true, values: ['high'] } } }) });
    const page = await new Browser().go(req.url.href, {}, atCallback);
    expect(page.status).toBe(403);
    const low = await authRequest(rp, { claims: JSON.stringify({ id_token: { acr: { essential: true, values: ['low', 'high'] } } }) });
    const signed = await signIn(new Browser(), low.url.href, ayse.nationalId, ayse.password);
    expect((await exchange(rp, low, signed.url)).claims()?.acr).toBe('low');
  });

  it('steps up (here: refuses) a low session asked for more, and prompt=none answers login_required', async () => {
    const browser = new Browser();
    const first = await authRequest(rp);
    await exchange(rp, first, (await signIn(browser, first.url.href, ayse.nationalId, ayse.password)).url);
    // The session is low: a silent request for substantial cannot be answered.
    const silent = await authRequest(rp, { acr_values: 'substantial', prompt: 'none' });
    const answer = await browser.go(silent.url.href, {}, atCallback);
    expect(new URL(answer.url).searchParams.get('error')).toBe('login_required');
    // The same session satisfies a low request silently.
    const again = await authRequest(rp, { prompt: 'none' });
    const ok = await browser.go(again.url.href, {}, atCallback);
    expect(new URL(ok.url).searchParams.get('code')).toBeTruthy();
  });

  it('enforces an institution minimum level', async () => {
    const strict = await registerInstitution(t, { name: 'Tapu', minAcr: 'high' });
    const strictRp = await relyingParty(t, strict);
    const page = await new Browser().go((await authRequest(strictRp)).url.href, {}, atCallback);
    expect(page.status).toBe(403);
    expect(page.html).toContain('yüksek');
  });

  it('forces a new password after the first login with an office-issued password', async () => {
    const browser = new Browser();
    const req = await authRequest(rp);
    let page = await browser.go(req.url.href, {}, atCallback);
    page = await browser.submit(page, { national_id: mehmet.nationalId, password: mehmet.password }, { name: 'submit', value: 'login' }, atCallback);
    expect(page.html).toContain('name="new_password"');
    const weak = await browser.submit(page, { new_password: '12345678', new_password_confirm: '12345678' }, { name: 'submit', value: 'change' }, atCallback);
    expect(weak.status).toBe(400);
    expect(weak.html).toContain('aria-invalid=true');
    const mismatch = await browser.submit(
      page,
      { new_password: 'Uzun ve guzel bir cumle 42', new_password_confirm: 'baska bir cumle 42' },
      { name: 'submit', value: 'change' },
      atCallback,
    );
    expect(mismatch.status).toBe(400);
    page = await browser.submit(
      page,
      { new_password: 'Uzun ve guzel bir cumle 42', new_password_confirm: 'Uzun ve guzel bir cumle 42' },
      { name: 'submit', value: 'change' },
      atCallback,
    );
    if (!atCallback(page.url)) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(atCallback(page.url)).toBe(true);
    // The one-time password no longer works; the new one does, without another forced change.
    const other = new Browser();
    const retry = await other.go((await authRequest(rp)).url.href, {}, atCallback);
    const refused = await other.submit(retry, { national_id: mehmet.nationalId, password: mehmet.password }, { name: 'submit', value: 'login' }, atCallback);
    expect(refused.status).toBe(401);
    const fresh = await authRequest(rp);
    const done = await signIn(new Browser(), fresh.url.href, mehmet.nationalId, 'Uzun ve guzel bir cumle 42');
    expect(atCallback(done.url)).toBe(true);
    const account = await t.kapi.services.accounts.findByNationalId(mehmet.nationalId);
    const events = await t.kapi.services.db('audit_events').where({ account_id: account!.id, type: 'password.changed' });
    expect(events).toHaveLength(1);
  });

  it('logs out from the institution, sends a back-channel logout token, and retries it when the institution was down', async () => {
    const browser = new Browser();
    const req = await authRequest(rp);
    const tokens = await exchange(rp, req, (await signIn(browser, req.url.href, ayse.nationalId, ayse.password)).url);
    backchannelUp = false;
    const endUrl = client.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://institution.example/bye' });
    const confirm = await browser.go(endUrl.href, {}, (l) => l.startsWith('https://institution.example/bye'));
    expect(confirm.html).toContain('logout-yes');
    const bye = await browser.submit(confirm, {}, { name: 'logout', value: 'yes' }, (l) => l.startsWith('https://institution.example/bye'));
    expect(bye.url.startsWith('https://institution.example/bye')).toBe(true);
    // Delivery failed: it waits in the outbox, and the worker delivers it once the institution is back.
    await waitFor(async () => (await t.kapi.services.db('logout_outbox').whereNull('delivered_at')).length === 1);
    backchannelUp = true;
    await t.kapi.services.db('logout_outbox').update({ next_attempt_at: new Date(Date.now() - 1000) });
    expect(await t.kapi.outbox.runOnce()).toBe(1);
    expect(logoutTokens).toHaveLength(1);
    const claims = decodeJwt(logoutTokens[0]!);
    expect(claims.sub).toBe(tokens.claims()!.sub);
    expect(claims.sid).toBe(tokens.claims()!.sid);
    expect(claims.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });
    // The session is gone: a silent request now needs a login.
    const silent = await authRequest(rp, { prompt: 'none' });
    expect(new URL((await browser.go(silent.url.href, {}, atCallback)).url).searchParams.get('error')).toBe('login_required');
  });
});
