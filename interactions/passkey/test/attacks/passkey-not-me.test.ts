import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import * as client from 'openid-client';
import { passkeyModule } from '../../index.js';
import { DEMO_CITIZENS } from '../../../../src/demo/seed.js';
import { Browser } from '../../../../test/support/browser.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../../../../test/support/institution.js';
import { startKapi, type TestKapi } from '../../../../test/support/kapi.js';
import { activeSessions, entryId, FIREFOX_LINUX, passwordSession, pressNotMe } from '../../../../test/attacks/account-keeps-support.js';
import { SoftAuthenticator } from '../soft-authenticator.js';
import { addPasskey, answerWithPasskey, passkeyPage, strongSession } from '../support.js';

jest.setTimeout(240_000);

// "This wasn't me" on a passkey sign-in (issue 21; DESIGN.md "Not me", "Endings"). The attacker holds a
// copy of one of Ayşe's passkeys (a synced passkey taken with the password manager that keeps it) and signs
// in with it at an institution, keeping a refresh token. Ayşe, signed in with her password, says the entry
// was not hers: every session and refresh token ends, the passkey that was used is removed (and only that
// one), and the page after tells her, in Turkish and English, to delete it where it is stored, to check
// the devices that sync it, and to add a new one after signing in another way.

const ayse = { ...DEMO_CITIZENS[0], phone: '+905321112233' };

describe('attacks: a stolen passkey and "This wasn\'t me"', () => {
  let t: TestKapi;
  let accountId: string;
  let rp: client.Configuration;
  const stolen = new SoftAuthenticator({ backupEligible: true });
  const laptop = new SoftAuthenticator();

  beforeAll(async () => {
    t = await startKapi({ issuerHost: 'localhost' });
    accountId = (await t.kapi.services.accounts.findByNationalId(ayse.nationalId))!.id;
    rp = await relyingParty(t, await registerInstitution(t, { name: 'Vergi Dairesi' }));
    const own = new Browser('her-laptop/1.0');
    await strongSession(t, own, ayse);
    await addPasskey(t, own, stolen, 'Telefonum');
    await strongSession(t, own, ayse);
    await addPasskey(t, own, laptop, 'Dizüstü');
  }, 120_000);
  afterAll(async () => t?.stop());

  const store = () => t.kapi.exportsOf(passkeyModule).store;
  const named = async (name: string) => (await store().list(accountId)).find((p) => p.name === name);

  it('the passkey used by whoever signed in is removed by "not me": his session and refresh token end, that passkey no longer signs in, her other passkey and her password still do', async () => {
    const telefonum = (await named('Telefonum'))!;
    // The attacker signs in at the institution with the copy, keeping a refresh token.
    const attacker = new Browser(FIREFOX_LINUX);
    const req = await authRequest(rp, { scope: 'openid offline_access', prompt: 'consent' });
    const { page } = await answerWithPasskey(t, attacker, await passkeyPage(attacker, req.url.href), stolen);
    expect(atCallback(page.url)).toBe(true);
    const refreshToken = (await exchange(rp, req, page.url)).refresh_token!;
    expect(refreshToken).toBeTruthy();

    // The sign-in record names Kapı's id of the passkey whose signature was verified: not the credential
    // id or the user handle the browser sent.
    const id = await entryId(t, accountId, { userAgent: FIREFOX_LINUX, method: 'passkey' });
    const record = (await t.kapi.services.db('sign_ins').where({ id }).first('credentials')) as { credentials: string };
    expect(record.credentials).toBe(`passkey:${telefonum.id}`);

    const owner = new Browser('her-phone/1.0');
    const history = await passwordSession(t, owner, ayse);
    const { confirmation, done } = await pressNotMe(owner, history, id);
    expect(confirmation.html).toContain('data-step="end-all"');
    expect(confirmation.html).toContain('data-step="disown-credential"');
    expect(confirmation.html).toContain('Bu girişte kullanılan geçiş anahtarı hesabınızdan kaldırılacak');
    expect(confirmation.html).not.toContain('data-step="close-password"');

    expect(done.status).toBe(200);
    expect(done.html).toContain('data-closed="passkey-credential"');
    expect(done.html).toContain('Bu girişte kullanılan geçiş anahtarı hesabınızdan kaldırıldı.');
    expect(done.html.match(/<li data-step="passkey-credential">/g)).toHaveLength(3);
    expect(done.html).toContain('şifre yöneticisinden');
    expect(done.html).toContain('eşitleyen hesaba');
    expect(done.html).toContain('yeni bir geçiş anahtarı ekleyin');
    const english = await owner.go(`${t.issuer}/account/history/not-me/done?lang=en`);
    expect(english.html).toContain('The passkey used for this sign-in was removed from your account.');
    expect(english.html).toContain('Delete the passkey where it is stored too');
    expect(english.html).toContain('Check the devices signed in to the account that syncs your passkeys');
    expect(english.html).toContain('add a new passkey on the');

    // That passkey is gone, recorded in the audit; her other one stays.
    expect((await store().list(accountId)).map((p) => p.name)).toEqual(['Dizüstü']);
    const events = (await t.kapi.services.db('audit_events').where({ account_id: accountId, type: 'account.credential_disowned' })) as {
      detail: Record<string, unknown> | string;
    }[];
    expect(events).toHaveLength(1);
    const detail = typeof events[0]!.detail === 'string' ? JSON.parse(events[0]!.detail) : events[0]!.detail;
    expect(detail).toMatchObject({ via: 'not_me', method: 'passkey', credential: telefonum.id, entry: id });

    // Every session ended (his and hers), and his refresh token with it.
    expect(await activeSessions(t, accountId)).toBe(0);
    expect((await attacker.request(`${t.issuer}/account`)).status).toBe(302);
    expect(
      await client.refreshTokenGrant(rp, refreshToken).then(
        () => 'accepted',
        (err: { error?: string }) => err.error,
      ),
    ).toBe('invalid_grant');

    // The copy signs nobody in any more.
    const again = new Browser(FIREFOX_LINUX);
    const retry = await answerWithPasskey(t, again, await passkeyPage(again, (await authRequest(rp)).url.href), stolen);
    expect(atCallback(retry.page.url)).toBe(false);
    expect(retry.page.html).toContain('kayıtlı değil');

    // Her own other passkey, and her password, still work: a passkey sign-in closes no other method.
    const mine = new Browser('her-laptop/1.0');
    const req2 = await authRequest(rp);
    const signedIn = await answerWithPasskey(t, mine, await passkeyPage(mine, req2.url.href), laptop);
    expect(atCallback(signedIn.page.url)).toBe(true);
    expect((await t.kapi.services.accounts.findById(accountId))!.passwordLoginEnabled).toBe(true);
  });

  it('"not me" on a sign-in with another method removes no passkey', async () => {
    const before = (await store().list(accountId)).map((p) => p.id);
    const owner = new Browser('her-tablet/1.0');
    const history = await passwordSession(t, owner, ayse);
    const id = await entryId(t, accountId, { userAgent: 'her-tablet/1.0', method: 'password' });
    const { confirmation, done } = await pressNotMe(owner, history, id);
    expect(confirmation.html).not.toContain('data-step="disown-credential"');
    expect(done.html).not.toContain('passkey-credential');
    expect((await store().list(accountId)).map((p) => p.id)).toEqual(before);
    await t.kapi.services.accounts.setPasswordLoginEnabled(accountId, true);
  });
});
