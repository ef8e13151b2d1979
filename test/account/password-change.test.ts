import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Browser } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { AYSE, csrfOf, openWithPassword, signInWithESignature } from './security-support.js';

jest.setTimeout(90_000);

// "Change my password" (current password, new one twice, the rules shown, SMS and e-mail notice) and
// "set a password without the old one" after a sign-in with a method that proves the person without it.

describe('account pages: change password, set a password without the old one', () => {
  let pki: TestPki;
  let t: TestKapi;
  let accountId: string;
  let password: string = AYSE.password;

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
    accountId = (await t.kapi.services.accounts.findByNationalId(AYSE.nationalId))!.id;
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  const events = async (type: string) =>
    (await t.kapi.services.db('audit_events').where({ account_id: accountId, type })) as { detail: Record<string, unknown> }[];
  const hash = async () => (await t.kapi.services.accounts.findPassword(accountId))!.hash;
  const citizen = () => ({ nationalId: AYSE.nationalId, password });

  it('shows the rules and asks for the current password in a password session', async () => {
    const page = await openWithPassword(t, new Browser(), '/account/password', citizen());
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="rules"');
    expect(page.html).toContain('name="current_password"');
    expect(page.html).toContain('Güvenli şifre kuralları');
  });

  it('refuses a wrong current password (401) and changes nothing', async () => {
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/password', citizen());
    const before = await hash();
    const res = await browser.submit(
      page,
      { current_password: 'not-my-password-1', new_password: 'Kuzey-Yildizi-Parlak-7', new_password_confirm: 'Kuzey-Yildizi-Parlak-7' },
      { name: 'submit', value: 'change' },
    );
    expect(res.status).toBe(401);
    expect(res.html).toContain('Şu anki şifreniz doğru değil.');
    expect(res.html).toContain('aria-invalid=true');
    expect(await hash()).toBe(before);
    expect((await events('account.password_change_refused')).length).toBeGreaterThan(0);
  });

  it('refuses a new password against the rules, and two different repetitions', async () => {
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/password', citizen());
    const weak = await browser.submit(
      page,
      { current_password: password, new_password: '12345678', new_password_confirm: '12345678' },
      { name: 'submit', value: 'change' },
    );
    expect(weak.status).toBe(400);
    expect(weak.html).toContain('id="new_password-error"');
    const differ = await browser.submit(
      page,
      { current_password: password, new_password: 'Kuzey-Yildizi-Parlak-7', new_password_confirm: 'Kuzey-Yildizi-Parlak-8' },
      { name: 'submit', value: 'change' },
    );
    expect(differ.status).toBe(400);
    expect(differ.html).toContain('Yeni şifre ile tekrarı aynı değil.');
  });

  it('refuses a form without its CSRF token', async () => {
    const browser = new Browser();
    await openWithPassword(t, browser, '/account/password', citizen());
    const res = await browser.request(`${t.issuer}/account/password`, {
      form: { current_password: password, new_password: 'Kuzey-Yildizi-Parlak-7', new_password_confirm: 'Kuzey-Yildizi-Parlak-7' },
    });
    expect(res.status).toBe(403);
  });

  it('changes the password: audit, SMS and e-mail notice, other sessions end, this one stays, the new one works', async () => {
    const other = new Browser();
    expect((await openWithPassword(t, other, '/account', citizen())).status).toBe(200);
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/password', citizen());
    const smsBefore = t.kapi.messaging.smsOutbox!.list(AYSE.phone).length;
    const next = 'Kuzey-Yildizi-Parlak-7';
    const done = await browser.submit(
      page,
      { current_password: password, new_password: next, new_password_confirm: next },
      { name: 'submit', value: 'change' },
    );
    expect(done.url).toBe(`${t.issuer}/account/password?notice=changed`);
    expect(done.html).toContain('id="password-notice"');
    password = next;
    const [event] = await events('account.password_changed');
    expect(event!.detail).toMatchObject({ methods: ['password'], acr: 'low' });
    expect(JSON.stringify(await events('account.password_changed'))).not.toContain(next);
    const sms = t.kapi.messaging.smsOutbox!.list(AYSE.phone);
    expect(sms.length).toBe(smsBefore + 1);
    expect(sms[0]!.text).toContain('Şifreniz');
    expect(t.kapi.messaging.mailOutbox!.list(AYSE.email).some((m) => m.subject === 'Şifreniz değiştirildi')).toBe(true);
    expect((await other.request(`${t.issuer}/account`)).status).toBe(302);
    expect((await browser.request(`${t.issuer}/account`)).status).toBe(200);
    // The old password no longer signs in; the new one does.
    const old = await openWithPassword(t, new Browser(), '/account', { nationalId: AYSE.nationalId, password: AYSE.password });
    expect(old.url).not.toBe(`${t.issuer}/account`);
    const fresh = await openWithPassword(t, new Browser(), '/account', citizen());
    expect(fresh.url).toBe(`${t.issuer}/account`);
  });

  it('refuses to set a password without the old one in a password session', async () => {
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/password', citizen());
    expect(page.html).toContain('name="current_password"');
    const before = await hash();
    const res = await browser.request(`${t.issuer}/account/password`, {
      form: { _csrf: csrfOf(page), new_password: 'Guney-Ruzgari-Esiyor-9', new_password_confirm: 'Guney-Ruzgari-Esiyor-9' },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Şu anki şifrenizi yazın.');
    expect(await hash()).toBe(before);
    expect(await events('account.password_set_without_old')).toHaveLength(0);
  });

  it('sets a password without the old one after an e-signature sign-in; password sessions end', async () => {
    const passwordSession = new Browser();
    expect((await openWithPassword(t, passwordSession, '/account', citizen())).status).toBe(200);
    const browser = new Browser();
    const page = await signInWithESignature(t, pki, browser, '/account/password');
    expect(page.url).toBe(`${t.issuer}/account/password`);
    expect(page.html).not.toContain('name="current_password"');
    expect(page.html).toContain('e-İmza');
    const next = 'Guney-Ruzgari-Esiyor-9';
    const done = await browser.submit(page, { new_password: next, new_password_confirm: next }, { name: 'submit', value: 'change' });
    expect(done.url).toBe(`${t.issuer}/account/password?notice=changed`);
    password = next;
    const [event] = await events('account.password_set_without_old');
    expect(event!.detail).toMatchObject({ methods: ['e-signature'], acr: 'high' });
    expect((await passwordSession.request(`${t.issuer}/account`)).status).toBe(302);
    expect((await openWithPassword(t, new Browser(), '/account', citizen())).url).toBe(`${t.issuer}/account`);
  });

  it('locks the current-password check for the account after five wrong tries (429)', async () => {
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/password', citizen());
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await browser.request(`${t.issuer}/account/password`, {
        form: {
          _csrf: csrfOf(page),
          current_password: `wrong-${i}-password`,
          new_password: 'Bati-Denizi-Mavi-42',
          new_password_confirm: 'Bati-Denizi-Mavi-42',
        },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
    // Even the right password waits now.
    const right = await browser.request(`${t.issuer}/account/password`, {
      form: { _csrf: csrfOf(page), current_password: password, new_password: 'Bati-Denizi-Mavi-42', new_password_confirm: 'Bati-Denizi-Mavi-42' },
    });
    expect(right.status).toBe(429);
  });
});
