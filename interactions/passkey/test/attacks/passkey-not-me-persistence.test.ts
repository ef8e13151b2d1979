import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { passkeyModule } from '../../index.js';
import { DEMO_CITIZENS } from '../../../../src/demo/seed.js';
import { Browser } from '../../../../test/support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../../../../test/support/institution.js';
import { startKapi, type TestKapi } from '../../../../test/support/kapi.js';
import { entryId, FIREFOX_LINUX, passwordSession, pressNotMe } from '../../../../test/attacks/account-keeps-support.js';
import { SoftAuthenticator } from '../soft-authenticator.js';
import { addPasskey, answerWithPasskey, passkeyPage, strongSession } from '../support.js';

jest.setTimeout(240_000);

// Outside attack on "This wasn't me" and the passkey add rule. The attacker holds a copy of Ayşe's synced
// passkey. A passkey sign-in is `substantial` and fresh, which is what adding a passkey needs: he signs in
// to the account pages with the copy and adds a passkey of his own. Ayşe then says that sign-in was not
// hers. Property: what the intruder's sign-in added is taken back with it; his own passkey signs nobody in.

const ayse = { ...DEMO_CITIZENS[0], phone: '+905321112233' };

describe('attacks: a passkey added by an intruder, and "This wasn\'t me"', () => {
  let t: TestKapi;
  let accountId: string;
  let rp: Awaited<ReturnType<typeof relyingParty>>;
  const stolen = new SoftAuthenticator({ backupEligible: true });
  const his = new SoftAuthenticator();

  beforeAll(async () => {
    t = await startKapi({ issuerHost: 'localhost' });
    accountId = (await t.kapi.services.accounts.findByNationalId(ayse.nationalId))!.id;
    rp = await relyingParty(t, await registerInstitution(t, { name: 'Vergi Dairesi' }));
    const own = new Browser('her-laptop/1.0');
    await strongSession(t, own, ayse);
    await addPasskey(t, own, stolen, 'Telefonum');
  }, 120_000);
  afterAll(async () => t?.stop());

  const store = () => t.kapi.exportsOf(passkeyModule).store;

  it('a passkey the intruder added in the sign-in she disowns no longer signs in after "This wasn\'t me"', async () => {
    // The intruder signs in to the account pages with the copy (substantial, fresh) and adds his own passkey.
    const attacker = new Browser(FIREFOX_LINUX);
    const start = `${t.issuer}/account/login?next=${encodeURIComponent('/account/passkeys')}&acr=substantial&again=1`;
    const signedIn = await answerWithPasskey(t, attacker, await passkeyPage(attacker, start), stolen);
    expect(signedIn.page.url).toContain('/account/passkeys');
    const added = await addPasskey(t, attacker, his, 'Yedek anahtar');
    expect(added.url).toContain('notice=registered');
    expect((await store().list(accountId)).map((p) => p.name)).toEqual(['Telefonum', 'Yedek anahtar']);

    // Ayşe, signed in with her password, says the intruder's sign-in was not hers.
    const id = await entryId(t, accountId, { userAgent: FIREFOX_LINUX, method: 'passkey' });
    const owner = new Browser('her-phone/1.0');
    const { confirmation, done } = await pressNotMe(owner, await passwordSession(t, owner, ayse), id);
    // She is told before she confirms that passkeys added since will go too.
    expect(confirmation.html).toContain('Bu girişten sonra hesabınıza eklenen geçiş anahtarları da kaldırılacak');
    expect(done.status).toBe(200);
    // The page after says so, beside the copy's own line.
    expect(done.html).toContain('data-closed="passkey-credential"');
    expect(done.html).toContain('data-closed="passkey-added-credential"');

    // The copy is gone (the existing protection)...
    expect((await store().list(accountId)).map((p) => p.name)).not.toContain('Telefonum');
    // ...and the passkey he added from that sign-in must not let him back in.
    const back = new Browser(FIREFOX_LINUX);
    const retry = await answerWithPasskey(t, back, await passkeyPage(back, (await authRequest(rp)).url.href), his);
    expect(atCallback(retry.page.url)).toBe(false);
  });
});
