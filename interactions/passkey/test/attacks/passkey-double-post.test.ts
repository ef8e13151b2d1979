import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser, type Page } from '../../../../test/support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../../../../test/support/institution.js';
import { startKapi, type TestKapi } from '../../../../test/support/kapi.js';
import { SoftAuthenticator } from '../soft-authenticator.js';
import { addPasskey, optionsOn, originOf, passkeyPage, postFromScript, strongSession } from '../support.js';

// Outside attack on a53bfbe ("a finished interaction is never written back unfinished"). A double click
// (or the page's script posting twice) sends one passkey answer twice at once: one post passes and writes
// the login, the other is refused (its challenge is spent). A real browser shows the answer to the LAST
// navigation, so it abandons the passing post's 303 to resume and shows the refused page. What the person
// can do from that page is what these tests defend.

const mehmet = { nationalId: '34567891238', password: 'Mavi-Kart-Sahibi-68', phone: '+905320000068' };
const atResume = (location: string) => new URL(location).pathname.startsWith('/auth/');

describe('attacks on a double-posted sign-in page', () => {
  let t: TestKapi;
  let institution: Awaited<ReturnType<typeof relyingParty>>;
  const key = new SoftAuthenticator({ backupEligible: true });

  beforeAll(async () => {
    t = await startKapi({ issuerHost: 'localhost' });
    const id = (await t.kapi.services.accounts.findByNationalId(mehmet.nationalId))!.id;
    await t.kapi.services.db('accounts').where({ id }).update({ phone: mehmet.phone, phone_verified: true, phone_verified_acr: 'registry' });
    institution = await relyingParty(t, await registerInstitution(t));
    const strong = new Browser('owner/1.0');
    await strongSession(t, strong, mehmet);
    await addPasskey(t, strong, key, 'Sayaçsız anahtar', { counter: 0 });
  }, 60_000);
  afterAll(async () => t?.stop());

  /** Two posts of one passkey answer at once; the passing one's redirect to resume is not followed. */
  async function doublePost(browser: Browser): Promise<{ refused: Page }> {
    const page = await passkeyPage(browser, (await authRequest(institution)).url.href);
    const response = JSON.stringify(key.get(optionsOn(page), { origin: originOf(t), counter: 0 }));
    const answers = await Promise.all([0, 1].map(() => postFromScript(browser, page, { response }, atResume)));
    const passed = answers.filter((a) => atResume(a.url));
    const refused = answers.filter((a) => !atResume(a.url));
    expect(passed).toHaveLength(1);
    expect(refused).toHaveLength(1);
    return { refused: refused[0]! };
  }

  it('the refused post of a double-posted sign-in is not a dead end: answering its page again signs the person in', async () => {
    const browser = new Browser('double-click/1.0');
    const { refused } = await doublePost(browser);
    // The refused page asks for the passkey again (a new challenge): she answers it.
    const again = JSON.stringify(key.get(optionsOn(refused), { origin: originOf(t), counter: 0 }));
    let next = await postFromScript(browser, refused, { response: again }, atCallback);
    if (!atCallback(next.url) && next.html.includes('name="decision"')) next = await browser.submit(next, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect({ status: next.status, atCallback: atCallback(next.url) }).toEqual({ status: 303, atCallback: true });
    expect(new URL(next.url).searchParams.get('code')).toBeTruthy();
  });

  it('the refused post of a double-posted sign-in is not a dead end: its "other sign-in methods" page still answers (never a 500)', async () => {
    const browser = new Browser('double-click-reload/1.0');
    const { refused } = await doublePost(browser);
    const chooser = await browser.go(new URL(`${new URL(refused.url).pathname.split('/method/')[0]}?choose=1`, refused.url).href, {}, atCallback);
    expect(chooser.status).toBeLessThan(500);
  });

  it('the refused post of a double-posted sign-in can still be cancelled: "cancel" sends the person back to the institution', async () => {
    const browser = new Browser('double-click-cancel/1.0');
    const { refused } = await doublePost(browser);
    const uid = /\/interaction\/([^/]+)/.exec(refused.url)![1]!;
    const csrf = /name="_csrf" value="([^"]*)"/.exec(refused.html)![1]!;
    const cancelled = await browser.go(`${t.issuer}/interaction/${uid}/abort`, { form: { _csrf: csrf } }, atCallback);
    expect({ status: cancelled.status, atCallback: atCallback(cancelled.url) }).toEqual({ status: 303, atCallback: true });
    // A cancel, not the login that passed: the institution gets an error and no code.
    expect(new URL(cancelled.url).searchParams.get('error')).toBe('access_denied');
    expect(new URL(cancelled.url).searchParams.get('code')).toBeNull();
  });
});
