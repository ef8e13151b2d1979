import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser, type Page } from '../support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// A double click on the consent page's buttons (or on "cancel") sends its form twice at once. One post
// finishes the interaction; a real browser shows the answer to the LAST navigation, so it may show the
// other one. Property: that answer also sends the browser on to the institution (the decision that
// finished stands), never a 403 dead end; and a forged post without the page's token is still a 403.

const ayse = DEMO_CITIZENS[0]!;
const atResume = (location: string) => new URL(location).pathname.startsWith('/auth/');

describe('attacks on a double-posted consent page', () => {
  let t: TestKapi;
  let institution: Awaited<ReturnType<typeof relyingParty>>;

  beforeAll(async () => {
    t = await startKapi();
    institution = await relyingParty(t, await registerInstitution(t));
  }, 60_000);
  afterAll(async () => t?.stop());

  async function consentPage(browser: Browser): Promise<Page> {
    const start = await browser.go((await authRequest(institution, { prompt: 'consent' })).url.href, {}, atCallback);
    const page = await browser.submit(start, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' }, atCallback);
    expect(page.html).toContain('name="decision"');
    return page;
  }

  for (const decision of ['allow', 'deny'] as const) {
    it(`both posts of a double-clicked "${decision}" (or a resubmitted page) send the browser on to the institution, with the decision that finished`, async () => {
      const browser = new Browser(`double-${decision}/1.0`);
      const page = await consentPage(browser);
      // The second click's request leaves once the first has been answered (the slow case: at once, both
      // load the interaction before either finishes it, and both pass).
      const first = await browser.submit(page, {}, { name: 'decision', value: decision }, atResume);
      const answers = [first, await browser.submit(page, {}, { name: 'decision', value: decision }, atResume)];
      expect(answers.map((a) => ({ status: a.status, atResume: atResume(a.url) }))).toEqual([
        { status: 303, atResume: true },
        { status: 303, atResume: true },
      ]);
      const landed = await browser.go(answers[1]!.url, {}, atCallback);
      expect(atCallback(landed.url)).toBe(true);
      const params = new URL(landed.url).searchParams;
      if (decision === 'allow') expect(params.get('code')).toBeTruthy();
      else expect(params.get('error')).toBe('access_denied');
    });
  }

  it('a forged post on a finished consent (no token) is still refused, 403', async () => {
    const browser = new Browser('forged/1.0');
    const page = await consentPage(browser);
    const uid = /\/interaction\/([^/]+)/.exec(page.url)![1]!;
    expect(atResume((await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atResume)).url)).toBe(true);
    const forged = await browser.go(`${t.issuer}/interaction/${uid}/consent`, { form: { decision: 'allow' } }, atResume);
    expect(forged.status).toBe(403);
  });
});
