import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { Challenges } from '../../ceremony.js';
import { passkeyModule } from '../../index.js';
import { MemoryStateStore } from '../../../../adapters/storage/state-memory.js';
import { DEMO_CITIZENS } from '../../../../src/demo/seed.js';
import { Browser, decode } from '../../../../test/support/browser.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../../../../test/support/institution.js';
import { startKapi, type TestKapi } from '../../../../test/support/kapi.js';
import { SoftAuthenticator } from '../soft-authenticator.js';
import { PAGE, addPasskey, answerWithPasskey, optionsOn, originOf, passkeyPage, postFromScript, strongSession, weakSession } from '../support.js';

// Attacks on passkeys (issue 21 point 5; docs/security.md "Passkeys"). Each test names the property it
// defends. A software authenticator plays the device, and lies where the attack needs it to.

const ayse = { ...DEMO_CITIZENS[0], phone: '+905321112233' };
const mehmet = { nationalId: '34567891238', password: 'Mavi-Kart-Sahibi-68', phone: '+905320000068' };

describe('attacks on passkeys', () => {
  let t: TestKapi;
  let ayseId: string;
  let mehmetId: string;
  let institution: Awaited<ReturnType<typeof relyingParty>>;
  const ayseKey = new SoftAuthenticator();
  const mehmetKey = new SoftAuthenticator();
  /** A key that keeps no signature counter (reports 0, as many synced passkeys do): only the challenge stops a replay. */
  const counterless = new SoftAuthenticator({ backupEligible: true });
  const passkeys = () => t.kapi.exportsOf(passkeyModule).store;

  beforeAll(async () => {
    t = await startKapi({ issuerHost: 'localhost' });
    ayseId = (await t.kapi.services.accounts.findByNationalId(ayse.nationalId))!.id;
    mehmetId = (await t.kapi.services.accounts.findByNationalId(mehmet.nationalId))!.id;
    await t.kapi.services.db('accounts').where({ id: mehmetId }).update({ phone: mehmet.phone, phone_verified: true, phone_verified_acr: 'registry' });
    institution = await relyingParty(t, await registerInstitution(t));
    const strong = new Browser('mehmet/1.0');
    await strongSession(t, strong, mehmet);
    await addPasskey(t, strong, mehmetKey, "Mehmet'in anahtarı");
    await addPasskey(t, strong, counterless, 'Sayaçsız anahtar', { counter: 0 });
    expect(await passkeys().list(mehmetId)).toHaveLength(2);
  }, 60_000);
  afterAll(async () => t?.stop());

  it('registration is refused from a session below substantial (a stolen password cannot add a passkey)', async () => {
    const browser = new Browser('thief/1.0');
    const page = await weakSession(t, browser, ayse);
    expect(page.html).toContain('id="passkeys-add-reauth"');
    expect(page.html).not.toContain('id="passkey-name"');
    const csrf = decode(/name="_csrf" value="([^"]+)"/.exec(page.html)![1]!);
    const started = await browser.request(`${t.issuer}${PAGE}/new`, { form: { _csrf: csrf, name: 'Hırsızın anahtarı' } });
    expect(started.status).toBe(403);
    expect(await started.text()).not.toContain('data-options');
    // Options obtained elsewhere do not help: the answer is refused before it is read.
    const fake = ayseKey.create(
      {
        rp: { id: 'localhost', name: 'Kapı' },
        user: { id: 'AAAA', name: 'x', displayName: 'x' },
        challenge: 'A'.repeat(43),
        pubKeyCredParams: [],
      } as PublicKeyCredentialCreationOptionsJSON,
      { origin: originOf(t) },
    );
    const registered = await browser.request(`${t.issuer}${PAGE}/register`, { form: { _csrf: csrf, response: JSON.stringify(fake) } });
    expect(registered.status).toBe(403);
    expect(await passkeys().list(ayseId)).toEqual([]);
  });

  it('registration is refused from a substantial session older than 5 minutes', async () => {
    const browser = new Browser('stale/1.0');
    await strongSession(t, browser, ayse);
    const list = await browser.go(`${t.issuer}${PAGE}`);
    const create = await browser.submit(list, { name: 'Eski oturum' }, { name: 'action', value: 'add' });
    const response = ayseKey.create(optionsOn<PublicKeyCredentialCreationOptionsJSON>(create), { origin: originOf(t) });
    const real = Date.now.bind(Date);
    const spy = jest.spyOn(Date, 'now').mockImplementation(() => real() + 6 * 60_000);
    try {
      const later = await browser.go(`${t.issuer}${PAGE}`);
      expect(later.html).toContain('id="passkeys-add-reauth"');
      const refused = await postFromScript(browser, create, { response: JSON.stringify(response) });
      expect(refused.status).toBe(403);
    } finally {
      spy.mockRestore();
    }
    expect(await passkeys().list(ayseId)).toEqual([]);
  });

  it('registration without user verification is refused', async () => {
    const browser = new Browser('no-uv/1.0');
    await strongSession(t, browser, ayse);
    const page = await addPasskey(t, browser, new SoftAuthenticator(), 'Doğrulamasız', { userVerified: false });
    expect(page.url).toContain('notice=refused');
    expect(await passkeys().list(ayseId)).toEqual([]);
  });

  it('a replayed assertion (challenge reuse) signs nobody in: its challenge is spent, and bound to the sign-in it was issued to', async () => {
    const first = new Browser('first/1.0');
    const req = await authRequest(institution);
    const { page, response } = await answerWithPasskey(t, first, await passkeyPage(first, req.url.href), counterless, { counter: 0 });
    expect(atCallback(page.url)).toBe(true);
    // The same response, posted again in a new sign-in (an attacker who saw it), is refused.
    const attacker = new Browser('attacker/1.0');
    const other = await passkeyPage(attacker, (await authRequest(institution)).url.href);
    const replayed = await postFromScript(attacker, other, { response }, atCallback);
    expect(atCallback(replayed.url)).toBe(false);
    expect(replayed.status).toBe(400);
    expect(replayed.html).toContain('süresi doldu ya da daha önce kullanıldı');
    expect(await t.kapi.services.db('sign_ins').where({ method: 'passkey', result: 'passkey_challenge' }).first()).toBeDefined();
  });

  it('a replayed assertion (challenge reuse) in its own sign-in: of two posts at once, exactly one is accepted, even from a key without a counter', async () => {
    const browser = new Browser('double/1.0');
    const page = await passkeyPage(browser, (await authRequest(institution)).url.href);
    const response = JSON.stringify(counterless.get(optionsOn(page), { origin: originOf(t), counter: 0 }));
    const answers = await Promise.all([0, 1, 2].map(() => postFromScript(browser, page, { response }, atCallback)));
    const passed = answers.filter((a) => atCallback(a.url) || a.html.includes('name="decision"'));
    expect(passed.length).toBe(1);
  });

  it('an assertion made for another origin is refused', async () => {
    const browser = new Browser('phished/1.0');
    const page = await passkeyPage(browser, (await authRequest(institution)).url.href);
    const { page: answered } = await answerWithPasskey(t, browser, page, mehmetKey, { origin: 'https://kapi-giris.example' });
    expect(atCallback(answered.url)).toBe(false);
    expect(answered.html).toContain('Geçiş anahtarı doğrulanamadı');
  });

  it('an assertion made for another relying-party id is refused', async () => {
    const browser = new Browser('other-rp/1.0');
    const page = await passkeyPage(browser, (await authRequest(institution)).url.href);
    const { page: answered } = await answerWithPasskey(t, browser, page, mehmetKey, { rpId: 'kapi-giris.example' });
    expect(atCallback(answered.url)).toBe(false);
    expect(answered.html).toContain('Geçiş anahtarı doğrulanamadı');
  });

  it('an assertion without user verification is refused', async () => {
    const browser = new Browser('no-uv-sign-in/1.0');
    const page = await passkeyPage(browser, (await authRequest(institution)).url.href);
    const { page: answered } = await answerWithPasskey(t, browser, page, mehmetKey, { userVerified: false });
    expect(atCallback(answered.url)).toBe(false);
  });

  it('a counter that goes back (a cloned key) is refused and recorded', async () => {
    const owner = new Browser('owner/1.0');
    const { page: ok } = await answerWithPasskey(t, owner, await passkeyPage(owner, (await authRequest(institution)).url.href), mehmetKey);
    expect(atCallback(ok.url)).toBe(true);
    const seen = mehmetKey.credentials.at(-1)!.counter;
    const browser = new Browser('clone/1.0');
    const page = await passkeyPage(browser, (await authRequest(institution)).url.href);
    const { page: answered } = await answerWithPasskey(t, browser, page, mehmetKey, { counter: seen - 1 });
    expect(atCallback(answered.url)).toBe(false);
    expect(await t.kapi.services.db('sign_ins').where({ account_id: mehmetId, method: 'passkey', result: 'passkey_counter' }).first()).toBeDefined();
    mehmetKey.credentials.at(-1)!.counter = seen; // the real key goes on
  });

  it('a challenge is redeemed once, for its own purpose and the sign-in (or account session) it was issued to', async () => {
    const state = new MemoryStateStore();
    const challenges = new Challenges(state);
    const spent = await challenges.issue('login', 'interaction-a');
    expect(await challenges.redeem('login', spent, 'interaction-a')).toEqual({});
    expect(await challenges.redeem('login', spent, 'interaction-a')).toBeUndefined();
    const elsewhere = await challenges.issue('login', 'interaction-a');
    expect(await challenges.redeem('login', elsewhere, 'interaction-b')).toBeUndefined();
    expect(await challenges.redeem('login', elsewhere, 'interaction-a')).toBeUndefined(); // a wrong try spends it too
    const registration = await challenges.issue('register', 'session-a', { accountId: 'x' });
    expect(await challenges.redeem('login', registration, 'session-a')).toBeUndefined();
    await state.close();
  });

  it('a credential of another person cannot be removed or renamed', async () => {
    const browser = new Browser('ayse/1.0');
    const page = await strongSession(t, browser, ayse);
    const csrf = decode(/name="_csrf" value="([^"]+)"/.exec(page.html)![1]!);
    const [his] = await passkeys().list(mehmetId);
    const removed = await browser.go(`${t.issuer}${PAGE}/${his!.id}/remove`, { form: { _csrf: csrf } });
    expect(removed.url).toContain('notice=unchanged');
    const renamed = await browser.go(`${t.issuer}${PAGE}/${his!.id}/rename`, { form: { _csrf: csrf, name: 'Benim artık' } });
    expect(renamed.url).toContain('notice=unchanged');
    expect(await passkeys().list(mehmetId)).toEqual(expect.arrayContaining([expect.objectContaining({ id: his!.id, name: "Mehmet'in anahtarı" })]));
    expect(await passkeys().list(mehmetId)).toHaveLength(2);
    expect(await t.kapi.services.db('audit_events').whereIn('type', ['passkey.removed', 'passkey.renamed'])).toEqual([]);
  });

  it('the user handle is a random id, never the identity number (nor is the name the device keeps)', async () => {
    const browser = new Browser('handle/1.0');
    await strongSession(t, browser, ayse);
    const list = await browser.go(`${t.issuer}${PAGE}`);
    const create = await browser.submit(list, { name: 'Tablet' }, { name: 'action', value: 'add' });
    const options = optionsOn<PublicKeyCredentialCreationOptionsJSON>(create);
    const handle = Buffer.from(options.user.id, 'base64url');
    expect(handle.length).toBe(32);
    expect(handle.toString('latin1')).not.toContain(ayse.nationalId);
    expect(options.user.id).not.toContain(ayse.nationalId);
    expect(JSON.stringify(options)).not.toContain(ayse.nationalId);
    await postFromScript(browser, create, { response: JSON.stringify(ayseKey.create(options, { origin: originOf(t) })) });
    const [stored] = await passkeys().list(ayseId);
    expect(stored!.userHandle).toBe(options.user.id);
    const [his] = await passkeys().list(mehmetId);
    expect(his!.userHandle).not.toBe(stored!.userHandle);
    // A second passkey of hers keeps her handle (an authenticator keeps one passkey per user of a site).
    const again = await browser.submit(await browser.go(`${t.issuer}${PAGE}`), { name: 'İkinci' }, { name: 'action', value: 'add' });
    expect(optionsOn<PublicKeyCredentialCreationOptionsJSON>(again).user.id).toBe(stored!.userHandle);
    // And the sign-in with it names her, with no identity number typed.
    const req = await authRequest(institution);
    const person = new Browser('handle-sign-in/1.0');
    const { page } = await answerWithPasskey(t, person, await passkeyPage(person, req.url.href), ayseKey);
    const claims = (await exchange(institution, req, page.url)).claims()!;
    expect(claims.acr).toBe('substantial');
    expect(await t.kapi.services.db('sign_ins').where({ account_id: ayseId, method: 'passkey', result: 'success' }).first()).toBeDefined();
  });

  it("an assertion whose user handle is not the credential's is refused", async () => {
    const browser = new Browser('swapped-handle/1.0');
    const page = await passkeyPage(browser, (await authRequest(institution)).url.href);
    const assertion = mehmetKey.get(optionsOn(page), { origin: originOf(t) });
    assertion.response.userHandle = (await passkeys().list(ayseId))[0]!.userHandle;
    const answered = await postFromScript(browser, page, { response: JSON.stringify(assertion) }, atCallback);
    expect(atCallback(answered.url)).toBe(false);
    expect(answered.status).toBe(400);
  });
});
