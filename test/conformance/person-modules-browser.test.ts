import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { launchChromium, watchCsp } from '../support/chromium.js';
import { startCrossOriginInstitution, type Arrival, type CrossOriginInstitution } from '../support/cross-origin-institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// The conformance modules that involve a person (issue 26 point 4), replayed in Chromium: the same
// modules as basic-op.test.ts and logout.test.ts (login, consent, prompt=login, prompt=none, max_age,
// RP-initiated logout with and without id_token_hint, state and post_logout_redirect_uri, back-channel
// logout), with Kapı on localhost and the institution on 127.0.0.1, a real openid-client application on
// another origin (test/support/cross-origin-institution.ts), whose own links start each flow. An HTTP
// client does not apply a page's CSP, SameSite cookies or form-action to the redirects after a form
// post; Chromium does, so a failure only a browser shows fails here. Every module also asserts that the
// CSP blocked nothing.

jest.setTimeout(120_000);
const browser = await launchChromium();
const describeBrowser = browser ? describe : describe.skip;

const ayse = DEMO_CITIZENS[0]!;
const gulsen = DEMO_CITIZENS[2]!; // a password of her own (DEMO_CITIZENS[1] must change an office password)
const gulnara = DEMO_CITIZENS[3]!; // the consent module's person: nobody else signs in with her here
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

interface Person {
  context: BrowserContext;
  page: Page;
  /** What the CSP blocked on the person's pages. */
  blocked: string[];
  /** Every address the person's tab was shown, in order. */
  shown: string[];
}

describeBrowser('conformance in Chromium: the modules that involve a person, the institution on another origin', () => {
  let t: TestKapi;
  let institution: CrossOriginInstitution;
  const people: Person[] = [];

  beforeAll(async () => {
    t = await startKapi({ issuerHost: 'localhost' });
    institution = await startCrossOriginInstitution(t, {}, { backchannelLogout: true });
  });
  afterAll(async () => {
    for (const person of people) await person.context.close().catch(() => undefined);
    await browser?.close();
    await institution?.close();
    await t?.stop();
  });

  /** A person with a browser of her own (a fresh profile: no cookies). */
  async function newPerson(): Promise<Person> {
    const context = await browser!.newContext({ locale: 'tr-TR' });
    const page = await context.newPage();
    const blocked = await watchCsp(page);
    const shown: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) shown.push(frame.url());
    });
    const person = { context, page, blocked, shown };
    people.push(person);
    return person;
  }

  async function click(page: Page, selector: string): Promise<void> {
    await Promise.all([page.waitForNavigation({ timeout: 20_000 }), page.click(selector)]);
  }

  const atKapi = (page: Page) => new URL(page.url()).hostname === 'localhost';
  const atInstitution = (page: Page) => new URL(page.url()).origin === institution.origin;
  const shownAtKapi = (person: Person, from: number) =>
    person.shown.slice(from).filter((u) => new URL(u).hostname === 'localhost' && new URL(u).pathname.startsWith('/interaction/'));

  /** Opens the institution's sign-in with these parameters; returns where the person ends up. */
  async function start(person: Person, params: Record<string, string> = {}): Promise<void> {
    await person.page.goto(institution.startUrl(params));
  }

  /** On Kapı's password form: types her number and password; accepts the consent page when asked. */
  async function typePassword(
    person: Person,
    who: { nationalId: string; password: string },
    consent: 'allow' | 'deny' = 'allow',
  ): Promise<{ consentShown: boolean }> {
    const { page } = person;
    expect(await page.locator('#national_id').count()).toBe(1);
    await page.fill('#national_id', who.nationalId);
    await page.fill('#password', who.password);
    await click(page, '#submit');
    const consentShown = atKapi(page) && (await page.locator(`button[value="${consent}"]`).count()) === 1;
    if (consentShown) await click(page, `button[value="${consent}"]`);
    return { consentShown };
  }

  /** The institution's record of the sign-in the person has just come back from. */
  function arrival(person: Person): Arrival {
    expect(atInstitution(person.page)).toBe(true);
    const state = new URL(person.page.url()).searchParams.get('state')!;
    const found = institution.arrivals.get(state);
    if (!found) throw new Error(`no arrival for state ${state} (${person.page.url()})`);
    return found;
  }

  /** The normal flow: the institution's sign-in, Kapı's password form (and consent), back at the institution. */
  async function signedIn(who: { nationalId: string; password: string }, person?: Person): Promise<{ person: Person; arrival: Arrival }> {
    const p = person ?? (await newPerson());
    await start(p);
    await typePassword(p, who);
    const a = arrival(p);
    expect(a.error).toBeUndefined();
    expect(await p.page.locator('#signed-in').count()).toBe(1);
    return { person: p, arrival: a };
  }

  /** prompt=none from the institution: true when it got a code (the person is still signed in at Kapı). */
  async function stillSignedIn(person: Person): Promise<boolean> {
    await start(person, { prompt: 'none' });
    const a = arrival(person);
    if (a.error) expect(a.error).toBe('login_required');
    return a.error === undefined;
  }

  const authTime = (a: Arrival) => Number(a.idToken?.auth_time);

  describe('Basic OP: login, consent, prompt, max_age', () => {
    it("oidcc-server: the institution's sign-in, Kapı's password form and consent, and back with a code the institution redeems (ID token and userinfo)", async () => {
      const person = await newPerson();
      await start(person);
      expect(atKapi(person.page)).toBe(true);
      await typePassword(person, ayse);
      const a = arrival(person);
      expect(a.error).toBeUndefined();
      expect(a.idToken?.acr).toBe('low');
      expect(a.idToken?.amr).toEqual(['pwd']);
      expect(typeof a.idToken?.sid).toBe('string');
      expect(a.userinfo?.sub).toBe(a.idToken?.sub);
      expect(a.userinfo?.given_name).toBe('Ayşe');
      expect(a.userinfo?.national_id).toBe(ayse.nationalId);
      expect(person.blocked).toEqual([]);
    });

    it('consent: the first sign-in asks; "deny" returns access_denied to the institution; "allow" is remembered, and a later sign-in in a new browser is not asked again', async () => {
      const denying = await newPerson();
      await start(denying);
      expect((await typePassword(denying, gulnara, 'deny')).consentShown).toBe(true);
      expect(arrival(denying).error).toBe('access_denied');
      expect(await denying.page.locator('#refused').count()).toBe(1);

      const allowing = await newPerson();
      await start(allowing);
      expect((await typePassword(allowing, gulnara, 'allow')).consentShown).toBe(true);
      expect(arrival(allowing).error).toBeUndefined();

      const later = await newPerson();
      await start(later);
      expect((await typePassword(later, gulnara)).consentShown).toBe(false);
      expect(arrival(later).userinfo?.national_id).toBe(gulnara.nationalId);
      for (const p of [denying, allowing, later]) expect(p.blocked).toEqual([]);
    });

    it("oidcc-prompt-login: a signed-in person is asked for her password again, and the new ID token's auth_time is later", async () => {
      const { person, arrival: first } = await signedIn(ayse);
      await new Promise((r) => setTimeout(r, 1100)); // auth_time has a resolution of one second
      await start(person, { prompt: 'login' });
      expect(atKapi(person.page)).toBe(true);
      await typePassword(person, ayse);
      const second = arrival(person);
      expect(second.error).toBeUndefined();
      expect(authTime(second)).toBeGreaterThan(authTime(first));
      expect(second.idToken?.sub).toBe(first.idToken?.sub);
      expect(person.blocked).toEqual([]);
    });

    it('oidcc-prompt-none-not-logged-in: a browser without a session goes straight back to the institution with login_required, shown no page of Kapı', async () => {
      const person = await newPerson();
      await start(person, { prompt: 'none' });
      expect(arrival(person).error).toBe('login_required');
      expect(await person.page.locator('#refused').count()).toBe(1);
      expect(shownAtKapi(person, 0)).toEqual([]);
      expect(person.blocked).toEqual([]);
    });

    it('oidcc-prompt-none-logged-in: a signed-in person comes back with a code at once, same session, same auth_time', async () => {
      const { person, arrival: first } = await signedIn(ayse);
      const before = person.shown.length;
      await start(person, { prompt: 'none' });
      const second = arrival(person);
      expect(second.error).toBeUndefined();
      expect(second.idToken?.sid).toBe(first.idToken?.sid);
      expect(authTime(second)).toBe(authTime(first));
      expect(shownAtKapi(person, before)).toEqual([]);
      expect(person.blocked).toEqual([]);
    });

    it('oidcc-max-age-1: a sign-in older than max_age=1 asks for the password again, and auth_time is renewed', async () => {
      const { person, arrival: first } = await signedIn(gulsen);
      await new Promise((r) => setTimeout(r, 2100));
      await start(person, { max_age: '1' });
      expect(atKapi(person.page)).toBe(true);
      await typePassword(person, gulsen);
      const second = arrival(person);
      expect(second.error).toBeUndefined();
      expect(authTime(second)).toBeGreaterThan(authTime(first));
      expect(person.blocked).toEqual([]);
    });

    it('oidcc-max-age-10000: a recent sign-in is reused under max_age=10000, with the same auth_time', async () => {
      const { person, arrival: first } = await signedIn(gulsen);
      const before = person.shown.length;
      await start(person, { max_age: '10000' });
      const second = arrival(person);
      expect(second.error).toBeUndefined();
      expect(authTime(second)).toBe(authTime(first));
      expect(shownAtKapi(person, before)).toEqual([]);
      expect(person.blocked).toEqual([]);
    });
  });

  describe('RP-initiated and back-channel logout', () => {
    /** The institution's sign-out link: Kapı asks, the person confirms. */
    async function signOutWith(person: Person, link: string): Promise<void> {
      await click(person.page, `#${link}`);
      if (atKapi(person.page) && (await person.page.locator('#logout-yes').count()) === 1) await click(person.page, '#logout-yes');
    }

    it('oidcc-rp-initiated-logout and oidcc-backchannel-rp-initiated-logout: id_token_hint, post_logout_redirect_uri and state bring her back to the institution with state; its back-channel endpoint on 127.0.0.1 has the logout token; prompt=none then fails', async () => {
      const { person, arrival: a } = await signedIn(ayse);
      const delivered = institution.backchannelLogouts.length;
      await click(person.page, '#sign-out');
      expect(atKapi(person.page)).toBe(true);
      await click(person.page, '#logout-yes');
      expect(person.page.url()).toBe(`${institution.origin}/logged-out?state=out-${a.state}`);
      expect(await person.page.textContent('#state')).toBe(`out-${a.state}`);
      // The institution's back-channel endpoint verified the token (signature, iss, aud, typ, event, no nonce).
      const deliveries = institution.backchannelLogouts.slice(delivered);
      expect(deliveries).toHaveLength(1);
      const [delivery] = deliveries;
      expect(delivery!.refused).toBeUndefined();
      expect(delivery!.status).toBe(200);
      expect(delivery!.fields).toEqual(['logout_token']);
      expect(delivery!.header?.typ).toBe('logout+jwt');
      const claims = delivery!.claims!;
      expect(claims.iss).toBe(t.issuer);
      expect(claims.aud).toBe(institution.clientId);
      expect(claims.sid).toBe(a.idToken?.sid);
      expect(claims.sub).toBe(a.idToken?.sub);
      expect(claims.events).toEqual({ [BACKCHANNEL_EVENT]: {} });
      expect(typeof claims.jti).toBe('string');
      expect(typeof claims.iat).toBe('number');
      expect(claims).not.toHaveProperty('nonce');
      expect(await stillSignedIn(person)).toBe(false);
      expect(person.blocked).toEqual([]);
    });

    it('oidcc-rp-initiated-logout-no-state: without state she is brought back to the institution without one', async () => {
      const { person } = await signedIn(ayse);
      await signOutWith(person, 'sign-out-no-state');
      expect(person.page.url()).toBe(`${institution.origin}/logged-out`);
      expect(await stillSignedIn(person)).toBe(false);
      expect(person.blocked).toEqual([]);
    });

    it("oidcc-rp-initiated-logout-no-post-logout-redirect-uri: with only id_token_hint the logout ends on Kapı's own page, and the back-channel token is sent", async () => {
      const { person, arrival: a } = await signedIn(ayse);
      const delivered = institution.backchannelLogouts.length;
      await signOutWith(person, 'sign-out-hint-only');
      expect(atKapi(person.page)).toBe(true);
      expect(await person.page.locator('[role="status"]').count()).toBe(1);
      expect(institution.backchannelLogouts.slice(delivered).map((d) => d.claims?.sid)).toEqual([a.idToken?.sid]);
      expect(await stillSignedIn(person)).toBe(false);
      expect(person.blocked).toEqual([]);
    });

    it('RP-initiated logout with client_id instead of id_token_hint (RP-Initiated Logout 1.0 §2): back to the institution with state', async () => {
      const { person, arrival: a } = await signedIn(ayse);
      await signOutWith(person, 'sign-out-client-id');
      expect(person.page.url()).toBe(`${institution.origin}/logged-out?state=out-${a.state}`);
      expect(await stillSignedIn(person)).toBe(false);
      expect(person.blocked).toEqual([]);
    });

    it('oidcc-rp-initiated-logout-no-id-token-hint: post_logout_redirect_uri without id_token_hint or client_id is never followed', async () => {
      const { person } = await signedIn(ayse);
      const loggedOut = institution.loggedOut.length;
      await signOutWith(person, 'sign-out-no-hint');
      expect(atKapi(person.page)).toBe(true);
      expect(institution.loggedOut.length).toBe(loggedOut);
      expect(person.blocked).toEqual([]);
    });

    it('oidcc-rp-initiated-logout-no-params: she is asked, logged out, and stays at Kapı', async () => {
      const { person } = await signedIn(ayse);
      await signOutWith(person, 'sign-out-no-params');
      expect(atKapi(person.page)).toBe(true);
      expect(await person.page.locator('[role="status"]').count()).toBe(1);
      expect(await stillSignedIn(person)).toBe(false);
      expect(person.blocked).toEqual([]);
    });

    it('oidcc-rp-initiated-logout-only-state: state alone sends her nowhere; she is logged out at Kapı', async () => {
      const { person } = await signedIn(ayse);
      const loggedOut = institution.loggedOut.length;
      await signOutWith(person, 'sign-out-only-state');
      expect(atKapi(person.page)).toBe(true);
      expect(institution.loggedOut.length).toBe(loggedOut);
      expect(await stillSignedIn(person)).toBe(false);
      expect(person.blocked).toEqual([]);
    });

    it('oidcc-rp-initiated-logout-bad-post-logout-redirect-uri: an unregistered post_logout_redirect_uri gets an error page at Kapı, and she stays signed in', async () => {
      const { person } = await signedIn(ayse);
      const link = new URL((await person.page.getAttribute('#sign-out', 'href'))!);
      link.searchParams.set('post_logout_redirect_uri', 'https://attacker.example/bye');
      const response = await person.page.goto(link.href);
      expect(response?.status()).toBe(400);
      expect(atKapi(person.page)).toBe(true);
      expect(await person.page.locator('#logout-yes').count()).toBe(0);
      expect(await stillSignedIn(person)).toBe(true);
      expect(person.blocked).toEqual([]);
    });
  });
});
