import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { decodeJwt } from 'jose';
import type * as client from 'openid-client';
import { Browser } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { AYSE, csrfOf, currentUid, GULSEN, institutionSignIn, logoutReceiver, openWithPassword, type LogoutReceiver } from './security-support.js';

jest.setTimeout(60_000);

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';
const EDGE_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91';
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

describe('sessions: where the person is signed in, ending one, signing out everywhere', () => {
  let t: TestKapi;
  let receiver: LogoutReceiver;
  let rp: client.Configuration;
  let rp2: client.Configuration;
  let institution: Record<string, unknown>;
  let institution2: Record<string, unknown>;
  let accountId: string;

  beforeAll(async () => {
    receiver = await logoutReceiver();
    t = await startKapi();
    institution = await registerInstitution(t, { name: 'Sağlık Bakanlığı', backchannelLogoutUri: receiver.url });
    institution2 = await registerInstitution(t, { name: 'Belediye', backchannelLogoutUri: `${receiver.url}?second` });
    rp = await relyingParty(t, institution);
    rp2 = await relyingParty(t, institution2);
    accountId = (await t.kapi.services.accounts.findByNationalId(AYSE.nationalId))!.id;
  });
  afterAll(async () => {
    await t?.stop();
    await receiver?.close();
  });

  it('lists the sessions with method, level, time, IP, device and institutions, this browser marked', async () => {
    const laptop = new Browser(FIREFOX_LINUX);
    expect(atCallback((await institutionSignIn(laptop, (await authRequest(rp)).url.href)).url)).toBe(true);
    const desktop = new Browser(EDGE_MAC);
    const page = await openWithPassword(t, desktop, '/account/sessions');
    expect(page.url).toBe(`${t.issuer}/account/sessions`);
    const items = [...page.html.matchAll(/<li class="session" data-uid="([^"]+)"( data-current="true")?>([\s\S]*?)<\/li>/g)];
    expect(items.length).toBe(2);
    const [mine, theirs] = items;
    expect(mine![2]).toBeDefined(); // this browser first, marked
    expect(mine![3]).toContain('Edge 120 · macOS');
    expect(mine![3]).toContain('bu tarayıcı');
    expect(theirs![2]).toBeUndefined();
    expect(theirs![3]).toContain('Firefox 121 · Linux');
    expect(theirs![3]).toContain('Sağlık Bakanlığı');
    expect(theirs![3]).toContain('T.C. kimlik numarası ve şifre');
    expect(theirs![3]).toContain('düşük');
    expect(theirs![3]).toContain('127.0.0.1');
    expect(theirs![3]).toMatch(/<time datetime="\d{4}-/);
  });

  it('ends another session of the person: that browser is signed out and its institution told', async () => {
    const laptop = new Browser(FIREFOX_LINUX);
    expect(atCallback((await institutionSignIn(laptop, (await authRequest(rp)).url.href)).url)).toBe(true);
    expect((await openWithPassword(t, laptop)).status).toBe(200);
    const laptopUid = await currentUid(t, laptop);
    const desktop = new Browser(EDGE_MAC);
    const page = await openWithPassword(t, desktop, '/account/sessions');
    const before = receiver.tokens.length;
    const done = await desktop.submit(page, {}, { name: 'end', value: laptopUid });
    expect(done.url).toBe(`${t.issuer}/account/sessions?notice=ended`);
    expect(done.html).not.toContain(`data-uid="${laptopUid}"`);
    expect((await laptop.request(`${t.issuer}/account`)).status).toBe(302);
    expect((await desktop.request(`${t.issuer}/account`)).status).toBe(200);
    expect(receiver.tokens.length).toBe(before + 1);
    expect(decodeJwt(receiver.tokens.at(-1)!).aud).toBe(institution.client_id);
    expect(await t.kapi.services.db('audit_events').where({ account_id: accountId, type: 'session.ended' })).toHaveLength(1);
  });

  it('cannot end another person’s session (404, and it stays active); a malformed uid is a 400', async () => {
    const gulsen = new Browser();
    await openWithPassword(t, gulsen, '/account', GULSEN);
    const gulsenUid = await currentUid(t, gulsen);
    const ayse = new Browser();
    const page = await openWithPassword(t, ayse, '/account/sessions');
    const res = await ayse.request(`${t.issuer}/account/sessions/end`, { form: { _csrf: csrfOf(page), uid: gulsenUid } });
    expect(res.status).toBe(404);
    expect((await gulsen.request(`${t.issuer}/account`)).status).toBe(200);
    expect((await ayse.request(`${t.issuer}/account/sessions/end`, { form: { _csrf: csrfOf(page), uid: '../../etc' } })).status).toBe(400);
    expect((await ayse.request(`${t.issuer}/account/sessions/end`, { form: { uid: gulsenUid } })).status).toBe(403);
    expect((await ayse.request(`${t.issuer}/account/sessions/end-all`, { form: {} })).status).toBe(403);
    expect((await ayse.request(`${t.issuer}/account`)).status).toBe(200);
  });

  it('signs out everywhere: every session ends, every institution gets a back-channel logout token, the page says so', async () => {
    const laptop = new Browser(FIREFOX_LINUX);
    expect(atCallback((await institutionSignIn(laptop, (await authRequest(rp)).url.href)).url)).toBe(true);
    const desktop = new Browser(EDGE_MAC);
    expect(atCallback((await institutionSignIn(desktop, (await authRequest(rp2)).url.href)).url)).toBe(true);
    const page = await openWithPassword(t, desktop, '/account/sessions');
    expect((await t.kapi.services.sessions.listActive(accountId)).length).toBeGreaterThanOrEqual(2);
    const before = receiver.tokens.length;
    const smsBefore = t.kapi.messaging.smsOutbox!.list(AYSE.phone).length;

    const done = await desktop.submit(page, {}, { name: 'end_all', value: '1' });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Bütün oturumlarınız kapatıldı');
    expect(done.html).toContain('id="sign-in"');

    const delivered = receiver.tokens.slice(before).map((token) => decodeJwt(token));
    expect(delivered.map((c) => c.aud).sort()).toEqual(expect.arrayContaining([institution.client_id, institution2.client_id]));
    for (const claims of delivered) {
      expect(claims.events).toHaveProperty([BACKCHANNEL_EVENT]);
      expect(claims.sub).toBeDefined();
    }
    expect(await t.kapi.services.sessions.listActive(accountId)).toEqual([]);
    expect((await desktop.request(`${t.issuer}/account`)).status).toBe(302);
    expect((await laptop.request(`${t.issuer}/account`)).status).toBe(302);
    // The institution cannot silently sign the person in again with the old session.
    const silent = await desktop.go((await authRequest(rp2, { prompt: 'none' })).url.href, {}, atCallback);
    expect(new URL(silent.url).searchParams.get('error')).toBe('login_required');
    expect(t.kapi.messaging.smsOutbox!.list(AYSE.phone).length).toBe(smsBefore + 1);
    expect(await t.kapi.services.db('audit_events').where({ account_id: accountId, type: 'session.signed_out_everywhere' })).toHaveLength(1);
  });

  it('ending this browser’s own session shows the signed-out page', async () => {
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/sessions');
    const uid = await currentUid(t, browser);
    const done = await browser.submit(page, {}, { name: 'end', value: uid });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Çıkış yaptınız');
    expect((await browser.request(`${t.issuer}/account`)).status).toBe(302);
  });
});
