import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as client from 'openid-client';
import { Browser, decode, type Page } from '../support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { citizen } from '../../interactions/second-factor/test/support.js';

// Issue 20 point 6, messages a person can act on, over HTTP: consent names the identity number for
// the person's identity type; the app's callback page and every page speak both languages and follow
// Accept-Language on a first visit, then the person's own choice; an error page never shows an OAuth
// error code as a "reference number"; "correct the error below" only heads errors in a form field.

jest.setTimeout(120_000);

const PEOPLE = {
  citizen: { nationalId: '10000000146', password: 'Ankara-Kizilay-1923', phone: '+905321220001' },
  blue_card: { nationalId: '34567891238', password: 'Mavi-Kart-Sahibi-68', phone: '+905321220002' },
  foreigner: { nationalId: '99234567106', password: 'Yabanci-Kimlik-99-Baku', phone: '+905321220003' },
};
const text = (page: Page) => decode(page.html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '));
const claimsOn = (page: Page) => Object.fromEntries([...page.html.matchAll(/<li data-claim="([^"]+)">([^<]*)<\/li>/g)].map((m) => [m[1]!, decode(m[2]!)]));

/** A browser whose every request says which languages its person prefers. */
class BrowserSaying extends Browser {
  constructor(private readonly acceptLanguage: string) {
    super();
  }
  override request(url: string, init: Parameters<Browser['request']>[1] = {}): Promise<Response> {
    return super.request(url, { ...init, headers: { 'accept-language': this.acceptLanguage, ...init.headers } });
  }
}

describe('messages a person can act on', () => {
  let t: TestKapi;
  let rp: client.Configuration;
  beforeAll(async () => {
    t = await startKapi();
    for (const person of Object.values(PEOPLE)) await citizen(t, person.nationalId, person.password, person.phone);
    rp = await relyingParty(t, await registerInstitution(t, { scopes: ['openid', 'profile', 'national_id'] }));
  });
  afterAll(async () => t?.stop());

  async function consentPage(person: { nationalId: string; password: string }, params: Record<string, string> = {}): Promise<Page> {
    const browser = new Browser();
    const form = await browser.go((await authRequest(rp, { prompt: 'consent', ...params })).url.href, {}, atCallback);
    const page = await browser.submit(form, { national_id: person.nationalId, password: person.password }, { name: 'submit', value: 'login' }, atCallback);
    expect(page.html).toContain('name="decision"');
    return page;
  }

  it('consent names the identity number for the identity type: T.C. number, foreign identification number (YKN), blue card (Turkish and English)', async () => {
    expect(claimsOn(await consentPage(PEOPLE.citizen))).toMatchObject({
      national_id: 'T.C. kimlik numarası',
      national_id_type: 'Kimlik türünüz (T.C. vatandaşı)',
    });
    expect(claimsOn(await consentPage(PEOPLE.foreigner))).toMatchObject({
      national_id: 'Yabancı kimlik numarası (YKN)',
      national_id_type: 'Kimlik türünüz (yabancı kimlik numarası sahibi)',
    });
    expect(claimsOn(await consentPage(PEOPLE.blue_card))).toMatchObject({
      national_id: 'Kimlik numarası (Mavi Kart)',
      national_id_type: 'Kimlik türünüz (Mavi Kart sahibi)',
    });
    expect(claimsOn(await consentPage(PEOPLE.foreigner, { ui_locales: 'en' }))).toMatchObject({
      national_id: 'Foreign identification number (YKN)',
      national_id_type: 'Your identity type (holder of a foreign identification number)',
    });
    expect(claimsOn(await consentPage(PEOPLE.blue_card, { ui_locales: 'en' }))).toMatchObject({ national_id: 'Identity number (Blue Card)' });
    expect(claimsOn(await consentPage(PEOPLE.citizen, { ui_locales: 'en' }))).toMatchObject({ national_id: 'Turkish identity number (T.C. Kimlik No)' });
  });

  it("the e-Devlet app's callback, opened in a browser, is a page in the person's language", async () => {
    const tr = await new Browser().go(`${t.issuer}/device/app-callback?code=x&state=y`);
    expect(tr.status).toBe(200);
    expect(tr.html).toContain('<html lang="tr">');
    expect(text(tr)).toContain('e-Devlet uygulamasına dönün');
    const en = await new BrowserSaying('en-GB,en;q=0.9').go(`${t.issuer}/device/app-callback?code=x&state=y`);
    expect(en.html).toContain('<html lang="en">');
    expect(text(en)).toContain('Return to the e-Devlet app');
    expect(text(en)).toContain('The sign-in completes in the e-Devlet app on this device.');
  });

  it('an error page never shows the OAuth error code as a reference number, and says what to do', async () => {
    const wrongClient = await new Browser().go(`${t.issuer}/auth?client_id=nobody&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fx.example%2Fcb`);
    expect(wrongClient.status).toBe(400);
    expect(text(wrongClient)).toContain('Sizi buraya gönderen hizmetin giriş isteği geçerli değil. Hizmetin sayfasına dönüp girişi yeniden başlatın');
    expect(text(wrongClient)).not.toMatch(/Başvuru numarası|invalid_client|invalid_request/);
    const en = await new BrowserSaying('en').go(`${t.issuer}/auth?client_id=nobody&response_type=code&scope=openid`);
    expect(text(en)).toContain('The sign-in request of the service that sent you here is not valid.');
    expect(text(en)).not.toMatch(/Reference|invalid_client|invalid_request/);
  });

  it('a page follows Accept-Language on the first visit, then the language the person chose, error pages too', async () => {
    const start = async (browser: Browser) => browser.go((await authRequest(rp)).url.href, {}, atCallback);
    expect((await start(new BrowserSaying('en-US,en;q=0.9'))).html).toContain('<html lang="en">');
    expect((await start(new BrowserSaying('de-DE,de;q=0.9,en;q=0.8,tr;q=0.7'))).html).toContain('<html lang="en">'); // the best one Kapı speaks
    expect((await start(new BrowserSaying('en;q=0.5, tr'))).html).toContain('<html lang="tr">'); // by quality, not order
    expect((await start(new BrowserSaying('fr-FR'))).html).toContain('<html lang="tr">'); // none Kapı speaks: Turkish
    expect((await start(new Browser())).html).toContain('<html lang="tr">');
    // The institution's ui_locales wins over the browser.
    expect((await new BrowserSaying('en').go((await authRequest(rp, { ui_locales: 'tr' })).url.href, {}, atCallback)).html).toContain('<html lang="tr">');

    const browser = new BrowserSaying('en-GB,en;q=0.9');
    const first = await start(browser);
    expect(first.html).toContain('<html lang="en">');
    const href = decode(/<a class="lang" href="([^"]+)"/.exec(first.html)![1]!);
    const chosen = await browser.go(new URL(href, first.url).href, {}, atCallback);
    expect(chosen.html).toContain('<html lang="tr">');
    expect((await start(browser)).html).toContain('<html lang="tr">'); // her choice, not the header, from now on
    const missing = await browser.go(`${t.issuer}/no-such-page`);
    expect(missing.status).toBe(404);
    expect(missing.html).toContain('<html lang="tr">');
    const missingEn = await new BrowserSaying('en').go(`${t.issuer}/no-such-page`);
    expect(missingEn.html).toContain('<html lang="en">');
    expect(text(missingEn)).toContain('The page you are looking for does not exist.');
  });

  it('"correct the error below" heads an error in a form field, never a refusal', async () => {
    const browser = new Browser();
    const form = await browser.go((await authRequest(rp)).url.href, {}, atCallback);
    const typo = await browser.submit(form, { national_id: '12345', password: 'x' }, { name: 'submit', value: 'login' }, atCallback);
    expect(typo.status).toBe(400);
    expect(text(typo)).toContain('Lütfen aşağıdaki hatayı düzeltin');
    expect(typo.html).toMatch(/<a href="#national_id">Geçerli bir 11 haneli kimlik numarası girin.<\/a>/);

    const account = await t.kapi.services.accounts.findByNationalId(PEOPLE.citizen.nationalId);
    await t.kapi.services.db('accounts').where({ id: account!.id }).update({ password_login_enabled: false });
    try {
      const closedBrowser = new Browser();
      const closedForm = await closedBrowser.go((await authRequest(rp)).url.href, {}, atCallback);
      const closed = await closedBrowser.submit(
        closedForm,
        { national_id: PEOPLE.citizen.nationalId, password: PEOPLE.citizen.password },
        { name: 'submit', value: 'login' },
        atCallback,
      );
      // A closed password sign-in answers a right password exactly as a wrong one (issue 19 point 10:
      // test/attacks/closed-password-login.test.ts), so it is the wrong-credentials field error, whose
      // hint tells everybody the way round a closed password sign-in.
      expect(closed.status).toBe(401);
      expect(closed.html).toContain('id="password-closed-hint"');
      expect(text(closed)).toContain('Kimlik numarası veya şifre hatalı.');
      expect(closed.html).toContain('role="alert"');
    } finally {
      await t.kapi.services.db('accounts').where({ id: account!.id }).update({ password_login_enabled: true });
    }
  });
});
