import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createRegistrar } from '../../src/registrar/index.js';
import { CounterAttempt } from '../../src/registrar/idempotency.js';
import { deriveKey, hmac } from '../../src/security/crypto.js';
import { AYSE, currentUid } from '../account/security-support.js';
import { Browser, type Page } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { codeOn, signerPost, softwareCard, startTestPki, type TestPki } from '../support/smart-card.js';
import { accountOf, books } from './office-support.js';
import { OFFICE_FORMS } from '../support/office-forms.js';

jest.setTimeout(240_000);

// Issue 23 point 1 and DESIGN.md (third round, "Consoles"): the registrar console at /office. The role
// × level matrix: every console action, for a citizen without the registrar role, the registrar signed
// in at `substantial`, at `high` 16 minutes ago, at `high` just now, and a registrar of another office.
// Reading needs a `high` sign-in and the role; issuing and cancelling need that sign-in under 15
// minutes old; another office's receipts and books are not hers. The rules are the registrar
// service's: separation of duties and one issuance per form hold here as on the API.

const OFFICE = 'PTT-ANK-KIZILAY'; // the demo office; its demo registrar is Ayşe
const OTHER_OFFICE = 'PTT-IST-KADIKOY';
const MEHMET = '12345678950'; // a citizen without the role
const CAGLA = '10090908018'; // the other office's registrar
const ZEYNEP = '56789123416';
const ZEYNEP_CARD = { doc0_type: 'tr_identity_card', doc0_number: 'D45E67890' };
const ISMAIL = '23654859046'; // an adult: proxy or guardian
const ISMAIL_CARD = { type: 'tr_identity_card', number: 'F67A89012' };
const deed = {
  rep_national_id: ISMAIL,
  rep_doc_type: ISMAIL_CARD.type,
  rep_doc_number: ISMAIL_CARD.number,
  rep_authority_number: '2026/4411',
  rep_authority_date: '2026-01-02',
  rep_authority_issuer: 'Ankara 5. Noterliği',
};

type Caller =
  | 'a citizen without the registrar role (high, fresh)'
  | 'the registrar signed in at substantial'
  | 'the registrar signed in at high 16 minutes ago'
  | 'the registrar signed in at high just now'
  | "another office's registrar (high, fresh)";
const CALLERS: Caller[] = [
  'a citizen without the registrar role (high, fresh)',
  'the registrar signed in at substantial',
  'the registrar signed in at high 16 minutes ago',
  'the registrar signed in at high just now',
  "another office's registrar (high, fresh)",
];

type Action =
  | 'open the console'
  | 'look up a person'
  | 'open the issue form'
  | 'issue in person'
  | 'issue to a proxy'
  | 'issue to a guardian'
  | "print a receipt of the registrar's office"
  | 'open the cancel form'
  | 'cancel the password'
  | "read the office's books";
const CHANGES = new Set<Action>([
  'open the issue form',
  'issue in person',
  'issue to a proxy',
  'issue to a guardian',
  'open the cancel form',
  'cancel the password',
]);

/** What each caller gets: the gate's refusal (status and reason), or the page. */
function expected(caller: Caller, action: Action): { status: number; gate?: string } {
  if (caller.startsWith('a citizen')) return { status: 403, gate: 'not_registrar' };
  if (caller.includes('substantial')) return { status: 403, gate: 'level' };
  if (caller.includes('16 minutes') && CHANGES.has(action)) return { status: 403, gate: 'stale' };
  if (caller.startsWith('another office') && action === "print a receipt of the registrar's office") return { status: 404 };
  return { status: action.startsWith('issue') || action === 'cancel the password' ? 201 : 200 };
}

describe('attacks: the registrar console at /office, role × level (issue 23 point 1)', () => {
  let pki: TestPki;
  let t: TestKapi;
  let receiptId: string;
  const browsers = new Map<Caller, Browser>();
  const uids = new Map<Browser, string>();

  const names = async (nationalId: string) => {
    const p = (await t.kapi.services.registry.lookup(nationalId))!;
    return { nationalId, givenName: p.givenName, familyName: p.familyName };
  };

  /** Signs in at the console with e-signature (acr high), as its own sign-in link does. */
  async function highSignIn(browser: Browser, nationalId: string, path = '/office/login?again=1'): Promise<Page> {
    let page = await browser.go(`${t.issuer}${path}`);
    if (page.html.includes('data-method=')) page = await browser.submit(page, {}, { name: 'method', value: 'e-signature' });
    const waiting = await browser.submit(page, { national_id: nationalId }, { name: 'submit', value: 'start' });
    const card = await softwareCard(pki.ca, { ...(await names(nationalId)), profile: 'e-signature' });
    const signed = await signerPost(t.issuer, codeOn(waiting).replace('-', ''), card);
    if (signed.status !== 200) throw new Error(`signer post refused: ${JSON.stringify(signed)}`);
    return browser.go(waiting.url.replace(/\/method\/.*$/, ''));
  }

  /** Ayşe with her password and an SMS code: a `substantial` session of Kapı (the account pages' sign-in). */
  async function substantialSignIn(browser: Browser): Promise<void> {
    await t.kapi.services
      .db('accounts')
      .where({ national_id: AYSE.nationalId })
      .update({ phone: '+905321112233', phone_verified: true, phone_verified_acr: 'registry' });
    let page = await browser.go(`${t.issuer}/account/login?next=%2Faccount&acr=substantial&again=1`);
    if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' });
    page = await browser.submit(page, { national_id: AYSE.nationalId, password: AYSE.password }, { name: 'submit', value: 'login' });
    if (page.html.includes('data-method="sms"')) page = await browser.submit(page, {}, { name: 'method', value: 'sms' });
    const code = /\b(\d{6})\b/.exec(t.kapi.messaging.smsOutbox!.latest('+905321112233')!.text)![1]!;
    if (page.html.includes('name="code"')) page = await browser.submit(page, { code }, { name: 'action', value: 'verify' });
    expect(page.html).toContain('id="session-level"');
    expect(/id="session-level">([^<]+)</.exec(page.html)![1]).toBe('önemli');
  }

  /** A session kept alive (say, by a sign-in at an institution) whose `high` proof is 16 minutes old. */
  async function age(browser: Browser, minutes: number): Promise<void> {
    const session = await t.kapi.provider().Session.findByUid(await uidOf(browser));
    if (!session) throw new Error('no session to age');
    session.loginTs = (session.loginTs ?? 0) - minutes * 60;
    await session.save(15 * 60);
  }

  async function uidOf(browser: Browser): Promise<string> {
    let uid = uids.get(browser);
    if (!uid) uids.set(browser, (uid = await currentUid(t, browser)));
    return uid;
  }

  /** The console's CSRF token for this browser's session: the refusals below are the gate's, never a missing token's. */
  async function csrf(browser: Browser): Promise<string> {
    return hmac(deriveKey(t.kapi.config.masterKey, 'office-csrf'), await uidOf(browser));
  }

  async function post(browser: Browser, path: string, form: Record<string, string>): Promise<{ status: number; html: string }> {
    const res = await browser.request(`${t.issuer}${path}`, { form: { _csrf: await csrf(browser), ...form } });
    return { status: res.status, html: await res.text() };
  }

  async function get(browser: Browser, path: string): Promise<{ status: number; html: string; location: string | null }> {
    const res = await browser.request(`${t.issuer}${path}`);
    return { status: res.status, html: await res.text(), location: res.headers.get('location') };
  }

  const key = () => randomUUID();
  const ACTIONS: Record<Action, (b: Browser) => Promise<{ status: number; html: string }>> = {
    'open the console': (b) => get(b, '/office'),
    'look up a person': (b) => post(b, '/office/lookup', { national_id: ZEYNEP }),
    'open the issue form': (b) => post(b, '/office/issue/form', { national_id: ZEYNEP }),
    'issue in person': (b) => post(b, '/office/issue', { national_id: ZEYNEP, channel: 'self', ...ZEYNEP_CARD, request_key: key() }),
    'issue to a proxy': (b) => post(b, '/office/issue', { national_id: ZEYNEP, channel: 'proxy', ...deed, rep_authorises: 'yes', request_key: key() }),
    'issue to a guardian': (b) => post(b, '/office/issue', { national_id: ZEYNEP, channel: 'guardian', ...deed, request_key: key() }),
    "print a receipt of the registrar's office": (b) => get(b, `/office/receipts/issuance/${receiptId}`),
    'open the cancel form': (b) => post(b, '/office/cancel/form', { national_id: ZEYNEP }),
    'cancel the password': (b) => post(b, '/office/cancel', { national_id: ZEYNEP, channel: 'self', ...ZEYNEP_CARD, request_key: key() }),
    "read the office's books": (b) => get(b, '/office/history'),
  };

  const counts = async () => {
    const db = t.kapi.services.db;
    const n = async (table: string) => Number((await db(table).count<{ c: string }[]>('* as c'))[0]!.c);
    return {
      issuances: await n('registrar_issuances'),
      cancellations: await n('registrar_cancellations'),
      lookups: Number((await db('audit_events').where({ type: 'registrar.lookup' }).count<{ c: string }[]>('* as c'))[0]!.c),
    };
  };

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
    const db = t.kapi.services.db;
    await db('registrar_offices').insert({ code: OTHER_OFFICE, name: 'PTT İstanbul Kadıköy', kind: 'ptt' });
    await db('registrar_roles').insert({ account_id: await accountOf(t, CAGLA), office_code: OTHER_OFFICE, granted_by: 'test' });
    // A record of Ayşe's office, made through the CLI's path, for the receipt.
    const ayse = await accountOf(t, AYSE.nationalId);
    const issued = await createRegistrar(t.kapi.services).issue(
      { officeCode: OFFICE, staffAccountId: ayse, via: 'cli' },
      { nationalId: ISMAIL, channel: 'self', documents: [ISMAIL_CARD] },
      new CounterAttempt(randomUUID()),
    );
    receiptId = issued.record.id;

    const citizen = new Browser();
    await highSignIn(citizen, MEHMET);
    browsers.set('a citizen without the registrar role (high, fresh)', citizen);
    const substantial = new Browser();
    await substantialSignIn(substantial);
    browsers.set('the registrar signed in at substantial', substantial);
    const stale = new Browser();
    await highSignIn(stale, AYSE.nationalId);
    await age(stale, 16);
    browsers.set('the registrar signed in at high 16 minutes ago', stale);
    const fresh = new Browser();
    await highSignIn(fresh, AYSE.nationalId);
    browsers.set('the registrar signed in at high just now', fresh);
    const other = new Browser();
    await highSignIn(other, CAGLA);
    browsers.set("another office's registrar (high, fresh)", other);
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  describe.each(CALLERS)('the role matrix: %s', (caller) => {
    for (const action of Object.keys(ACTIONS) as Action[]) {
      const want = expected(caller, action);
      const what = want.gate
        ? `refused (${want.status}, ${want.gate}): nothing looked up, issued or cancelled`
        : want.status === 404
          ? "refused (404): another office's record is not hers to see"
          : `allowed (${want.status})`;
      it(`${action}: ${what}`, async () => {
        const before = await counts();
        const res = await ACTIONS[action](browsers.get(caller)!);
        expect({
          status: res.status,
          gate: /data-problem="([a-z_]+)"/.exec(res.html)?.[1],
          error: /id="error-message"[^>]*>([^<]*)</.exec(res.html)?.[1],
        }).toEqual({ status: want.status, gate: want.gate, error: want.status === 404 ? expect.any(String) : undefined });
        const after = await counts();
        if (want.status >= 400) {
          expect(after).toEqual(before);
          if (want.gate && want.gate !== 'not_registrar') {
            // The way on: a fresh sign-in at high, through the console's own client.
            expect(res.html).toMatch(/href="\/office\/login\?next=%2Foffice[^"]*again=1"/);
          }
          return;
        }
        if (action.startsWith('issue')) {
          expect(after.issuances).toBe(before.issuances + 1);
          expect(res.html).toMatch(/id="one-time-password"[^>]*>[^<]{8,}</);
        }
        if (action === 'cancel the password') expect(after.cancellations).toBe(before.cancellations + 1);
        if (action === 'look up a person') expect(res.html).toContain('data-document="tr_identity_card"');
        if (action === "read the office's books") {
          const mine = caller.startsWith('another office');
          // Her office's books only: the receipt's record is Ayşe's office's.
          expect(res.html.includes(receiptId)).toBe(!mine);
        }
      });
    }
  });

  it('a registrar at high whose sign-in is 16 minutes old is sent to sign in again, and then may issue', async () => {
    const browser = new Browser();
    await highSignIn(browser, AYSE.nationalId);
    await age(browser, 16);
    const refused = await post(browser, '/office/issue', { national_id: ZEYNEP, channel: 'self', ...ZEYNEP_CARD, request_key: key() });
    expect(refused.status).toBe(403);
    const link = /id="sign-in-again" href="([^"]+)"/.exec(refused.html)![1]!.replace(/&amp;/g, '&');
    // The link asks the provider for a fresh proof at high (prompt=login, max_age=0, acr_values=high).
    const auth = await browser.request(`${t.issuer}${link}`);
    const location = new URL(auth.headers.get('location')!, t.issuer);
    expect(Object.fromEntries(['client_id', 'acr_values', 'prompt', 'max_age'].map((k) => [k, location.searchParams.get(k)]))).toEqual({
      client_id: 'kapi-office',
      acr_values: 'high',
      prompt: 'login',
      max_age: '0',
    });
    uids.delete(browser);
    const back = await highSignIn(browser, AYSE.nationalId, link);
    expect(back.url).toBe(`${t.issuer}/office`);
    const issued = await post(browser, '/office/issue', { national_id: ZEYNEP, channel: 'self', ...ZEYNEP_CARD, request_key: key() });
    expect(issued.status).toBe(201);
  });

  it('without a session, a console page sends to the console sign-in at high, and a form post does nothing (401)', async () => {
    const browser = new Browser();
    const page = await get(browser, '/office/history');
    expect(page.status).toBe(302);
    expect(page.location).toBe('/office/login?next=%2Foffice%2Fhistory');
    const before = await counts();
    const res = await browser.request(`${t.issuer}/office/issue`, { form: { national_id: ZEYNEP, channel: 'self', ...ZEYNEP_CARD, request_key: key() } });
    expect(res.status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it("every console form without the console's CSRF token, with a forged one or with the account pages' token is refused (403) and does nothing", async () => {
    const browser = browsers.get('the registrar signed in at high just now')!;
    const before = await counts();
    const form = { national_id: ZEYNEP, channel: 'self', ...ZEYNEP_CARD, request_key: key() };
    const account = hmac(deriveKey(t.kapi.config.masterKey, 'account-csrf'), await uidOf(browser));
    const answers: Record<string, number[]> = {};
    for (const route of OFFICE_FORMS) {
      const url = `${t.issuer}${route.split(' ')[1]}`;
      answers[route] = [];
      for (const token of [undefined, 'forged-token', account]) {
        const res = await browser.request(url, { form: token === undefined ? form : { ...form, _csrf: token } });
        answers[route].push(res.status);
      }
    }
    expect(answers).toEqual(Object.fromEntries(OFFICE_FORMS.map((route) => [route, [403, 403, 403]])));
    expect(await counts()).toEqual(before);
    // Still signed in: the refused logout did not sign her out.
    expect((await get(browser, '/office')).status).toBe(200);
  });

  it('separation of duties holds in the console: the registrar cannot issue her own password (403 staff_is_person), nothing issued', async () => {
    const browser = browsers.get('the registrar signed in at high just now')!;
    const before = await books(t, AYSE.nationalId);
    const res = await post(browser, '/office/issue', {
      national_id: AYSE.nationalId,
      channel: 'self',
      doc0_type: 'tr_identity_card',
      doc0_number: 'A12B34567',
      request_key: key(),
    });
    expect(res.status).toBe(403);
    expect(res.html).toMatch(/kendi şifre/i);
    expect(await books(t, AYSE.nationalId)).toEqual(before);
  });

  it('one issuance per form: the same form sent twice issues and charges once, and the second answer shows no password', async () => {
    const browser = browsers.get('the registrar signed in at high just now')!;
    const form = await post(browser, '/office/issue/form', { national_id: ZEYNEP });
    const requestKey = /name="request_key" value="([^"]+)"/.exec(form.html)![1]!;
    const before = await books(t, ZEYNEP);
    const fields = { national_id: ZEYNEP, channel: 'self', ...ZEYNEP_CARD, request_key: requestKey };
    const [first, second] = await Promise.all([post(browser, '/office/issue', fields), post(browser, '/office/issue', fields)]);
    const after = await books(t, ZEYNEP);
    expect(after.issuances).toBe(before.issuances + 1);
    expect(after.fees.length - before.fees.length).toBe(1);
    const passwords = [first, second].filter((r) => r.html.includes('id="one-time-password"'));
    expect(passwords).toHaveLength(1);
    expect([first, second].filter((r) => r.html.includes('id="replayed"'))).toHaveLength(1);
  });

  it('a refused request keeps the form, names the field and issues nothing (a proxy whose deed does not authorise receipt)', async () => {
    const browser = browsers.get('the registrar signed in at high just now')!;
    const before = await books(t, ZEYNEP);
    const res = await post(browser, '/office/issue', { national_id: ZEYNEP, channel: 'proxy', ...deed, request_key: key() });
    expect(res.status).toBe(422);
    expect(res.html).toContain('href="#rep_authorises"');
    expect(res.html).toContain('aria-invalid="true"');
    expect(res.html).toContain(`value="${deed.rep_authority_issuer}"`);
    expect(await books(t, ZEYNEP)).toEqual(before);
  });

  it('console pages carry the strict headers: CSP without inline script, no-store, no framing', async () => {
    const res = await browsers.get('the registrar signed in at high just now')!.request(`${t.issuer}/office`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*script-src 'self'.*form-action 'self'.*frame-ancestors 'none'/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });
});
