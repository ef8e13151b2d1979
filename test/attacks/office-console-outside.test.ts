import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AYSE } from '../account/security-support.js';
import { Browser, type Page } from '../support/browser.js';
import { authRequest, CALLBACK, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { accountOf, books } from './office-support.js';
import { clerkSignIn, gateOf, officeGet, officePost } from './office-outside-support.js';

jest.setTimeout(300_000);

// An outside tester's attempts on the registrar console at /office (issue 23 point 1) beyond the role ×
// level matrix of office-console.test.ts: a burst of parallel posts of one form, a form key reused for
// another person, a role or an office withdrawn in the middle of a session, another office's
// cancellation receipts and filtered books, identity numbers in addresses and logs, a stale `high`
// sign-in "refreshed" by an institution's sign-in, and a citizen's session at /office. Each `it` names
// the property that held. (What did not hold is in findings-office-console.test.ts.)

const OFFICE = 'PTT-ANK-KIZILAY';
const OTHER_OFFICE = 'PTT-IST-KADIKOY';
const CAGLA = '10090908018'; // the other office's registrar
const MEHMET = '12345678950'; // a citizen, later a registrar who loses the role
const ZEYNEP = '56789123416';
const ZEYNEP_CARD = { doc0_type: 'tr_identity_card', doc0_number: 'D45E67890' };
const ISMAIL = '23654859046';
const ISMAIL_CARD = { doc0_type: 'tr_identity_card', doc0_number: 'F67A89012' };
const IDENTITY = /(?<!\d)[1-9]\d{10}(?!\d)/;

describe('attacks from outside: the registrar console', () => {
  let pki: TestPki;
  let t: TestKapi;
  let clerk: Browser;
  let other: Browser;

  const formKey = async (browser: Browser, nationalId: string, operation: 'issue' | 'cancel' = 'issue') => {
    const form = await officePost(t, browser, `/office/${operation}/form`, { national_id: nationalId });
    expect(form.status).toBe(200);
    return /name="request_key" value="([^"]+)"/.exec(form.html)![1]!;
  };

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
    const db = t.kapi.services.db;
    await db('registrar_offices').insert({ code: OTHER_OFFICE, name: 'PTT İstanbul Kadıköy', kind: 'ptt' });
    await db('registrar_roles').insert({ account_id: await accountOf(t, CAGLA), office_code: OTHER_OFFICE, granted_by: 'test' });
    clerk = new Browser();
    await clerkSignIn(t, pki, clerk, AYSE.nationalId);
    other = new Browser();
    await clerkSignIn(t, pki, other, CAGLA);
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  it('twelve parallel posts of one issue form issue and charge once; one answer shows the password, the others a replay without it', async () => {
    const requestKey = await formKey(clerk, ZEYNEP);
    const before = await books(t, ZEYNEP);
    const fields = { national_id: ZEYNEP, channel: 'self', ...ZEYNEP_CARD, request_key: requestKey };
    const answers = await Promise.all(Array.from({ length: 12 }, () => officePost(t, clerk, '/office/issue', fields)));
    const after = await books(t, ZEYNEP);
    expect(after.issuances - before.issuances).toBe(1);
    expect(after.fees.length - before.fees.length).toBe(1);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.html.includes('id="one-time-password"'))).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200 && a.html.includes('id="replayed"'))).toHaveLength(11);
  });

  it("a form's key sent again for another person is refused: nothing issued for her, and no password of the first issuance is shown", async () => {
    const requestKey = await formKey(clerk, ISMAIL);
    const first = await officePost(t, clerk, '/office/issue', { national_id: ISMAIL, channel: 'self', ...ISMAIL_CARD, request_key: requestKey });
    expect(first.status).toBe(201);
    const before = await books(t, ZEYNEP);
    const reused = await officePost(t, clerk, '/office/issue', { national_id: ZEYNEP, channel: 'self', ...ZEYNEP_CARD, request_key: requestKey });
    expect(reused.status).toBe(422);
    expect(reused.html).not.toContain('id="one-time-password"');
    expect(await books(t, ZEYNEP)).toEqual(before);
    // Another clerk sending the same key gets her own, unrelated request (keys are per registrar): no replay of Ayşe's answer.
    const theirs = await officePost(t, other, '/office/issue', { national_id: ISMAIL, channel: 'self', ...ISMAIL_CARD, request_key: requestKey });
    expect(theirs.html).not.toContain('id="replayed"');
  });

  it('a registrar role withdrawn, or an office closed, in the middle of a session refuses the very next request and changes nothing', async () => {
    const db = t.kapi.services.db;
    const mehmet = await accountOf(t, MEHMET);
    await db('registrar_roles').insert({ account_id: mehmet, office_code: OFFICE, granted_by: 'test' });
    const browser = new Browser();
    await clerkSignIn(t, pki, browser, MEHMET);
    const requestKey = await formKey(browser, ZEYNEP);
    await db('registrar_roles').where({ account_id: mehmet }).delete();
    const before = await books(t, ZEYNEP);
    const issue = await officePost(t, browser, '/office/issue', { national_id: ZEYNEP, channel: 'self', ...ZEYNEP_CARD, request_key: requestKey });
    expect([issue.status, gateOf(issue.html)]).toEqual([403, 'not_registrar']);
    const history = await officeGet(t, browser, '/office/history');
    expect([history.status, gateOf(history.html)]).toEqual([403, 'not_registrar']);
    await db('registrar_roles').insert({ account_id: mehmet, office_code: OFFICE, granted_by: 'test' });
    await db('registrar_offices').where({ code: OFFICE }).update({ active: false });
    try {
      const closed = await officePost(t, browser, '/office/issue', { national_id: ZEYNEP, channel: 'self', ...ZEYNEP_CARD, request_key: requestKey });
      expect([closed.status, gateOf(closed.html)]).toEqual([403, 'office_inactive']);
    } finally {
      await db('registrar_offices').where({ code: OFFICE }).update({ active: true });
      await db('registrar_roles').where({ account_id: mehmet }).delete();
    }
    expect(await books(t, ZEYNEP)).toEqual(before);
  });

  it("another office's registrar cannot print this office's cancellation receipt, nor find this office's records by filtering her books by the person", async () => {
    const requestKey = await formKey(clerk, ISMAIL, 'cancel');
    const cancelled = await officePost(t, clerk, '/office/cancel', { national_id: ISMAIL, channel: 'self', ...ISMAIL_CARD, request_key: requestKey });
    expect(cancelled.status).toBe(201);
    const receipt = /href="(\/office\/receipts\/cancellation\/[^"]+)"/.exec(cancelled.html)![1]!;
    expect((await officeGet(t, clerk, receipt)).status).toBe(200);
    const theirs = await officeGet(t, other, receipt);
    expect(theirs.status).toBe(404);
    expect(theirs.html).not.toContain(ISMAIL);
    const filtered = await officePost(t, other, '/office/history', { national_id: ISMAIL });
    expect(filtered.status).toBe(200);
    const ours = new Set<string>();
    for (const table of ['registrar_issuances', 'registrar_cancellations'])
      for (const r of (await t.kapi.services.db(table).where({ office_code: OFFICE }).select('id')) as { id: string }[]) ours.add(String(r.id));
    expect(ours.size).toBeGreaterThan(1);
    const shown = [...filtered.html.matchAll(/\/office\/receipts\/[a-z]+\/([^"]+)"/g)].map((m) => m[1]!);
    expect(shown.filter((id) => ours.has(id))).toEqual([]);
    // The same record by another kind's address is not found either.
    expect((await officeGet(t, other, receipt.replace('cancellation', 'issuance'))).status).toBe(404);
  });

  it('identity numbers never appear in an address: not in links, form actions or redirects of the console, and a number put in a query is dropped, not echoed', async () => {
    const pages = [
      await officeGet(t, clerk, '/office'),
      await officePost(t, clerk, '/office/lookup', { national_id: ZEYNEP }),
      await officePost(t, clerk, '/office/issue/form', { national_id: ZEYNEP }),
      await officeGet(t, clerk, '/office/history'),
      await officePost(t, clerk, '/office/history', { national_id: ZEYNEP }),
    ];
    for (const page of pages) {
      expect(page.status).toBe(200);
      for (const [, address] of page.html.matchAll(/(?:href|action|src)="([^"]*)"/g)) expect(address).not.toMatch(IDENTITY);
    }
    const typed = await officeGet(t, clerk, `/office/lookup?national_id=${ZEYNEP}`);
    expect([typed.status, typed.location]).toEqual([302, '/office']);
  });

  it("no identity number a clerk typed or issued for reaches Kapı's log lines", async () => {
    const file = process.env.KAPI_LOG_COPY_FILE;
    if (!file) throw new Error('no log copy for this run (KAPI_LOG_COPY_FILE)');
    const lines = readFileSync(file, 'utf8');
    expect(lines.length).toBeGreaterThan(0);
    for (const number of [ZEYNEP, ISMAIL, CAGLA, MEHMET]) expect(lines).not.toContain(number);
  });

  it('a stale `high` sign-in is not made fresh by signing in at an institution in the same browser: a silent sign-in keeps it stale, a password sign-in lowers it below `high`', async () => {
    const browser = new Browser();
    await clerkSignIn(t, pki, browser, AYSE.nationalId);
    const { currentUid } = await import('../account/security-support.js');
    const session = await t.kapi.provider().Session.findByUid(await currentUid(t, browser));
    session!.loginTs = (session!.loginTs ?? 0) - 16 * 60;
    await session!.save(15 * 60);
    const metadata = await registerInstitution(t, {
      name: 'Tazeleme Kurumu',
      clientId: `fresh-${randomUUID().slice(0, 8)}`,
      scopes: ['openid'],
      firstParty: true,
    });
    const rp = await relyingParty(t, metadata);
    const atCallback = (location: string) => location.startsWith(CALLBACK);
    const silent: Page = await browser.go((await authRequest(rp, { scope: 'openid', prompt: 'none' })).url.href, {}, atCallback);
    expect(new URL(silent.url).searchParams.has('code')).toBe(true);
    const form = await officePost(t, browser, '/office/issue/form', { national_id: ZEYNEP });
    expect([form.status, gateOf(form.html)]).toEqual([403, 'stale']);
    let page: Page = await browser.go((await authRequest(rp, { scope: 'openid', prompt: 'login' })).url.href, {}, atCallback);
    if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' }, atCallback);
    page = await browser.submit(page, { national_id: AYSE.nationalId, password: AYSE.password }, { name: 'submit', value: 'login' }, atCallback);
    const after = await officePost(t, browser, '/office/issue/form', { national_id: ZEYNEP });
    expect(after.status).toBe(403);
    expect(['level', 'stale', 'signed_out']).toContain(gateOf(after.html));
  });

  it("a citizen's session at /office (e-signature, `high`) reads nothing and changes nothing, and a forged registrar CSRF token from another session does not help", async () => {
    const citizen = new Browser();
    await clerkSignIn(t, pki, citizen, '19876543238');
    const lookup = await officePost(t, citizen, '/office/lookup', { national_id: ZEYNEP });
    expect([lookup.status, gateOf(lookup.html)]).toEqual([403, 'not_registrar']);
    expect(lookup.html).not.toContain(ZEYNEP);
    // The clerk's own token in the citizen's browser: refused before the gate.
    const { officeCsrf } = await import('./office-outside-support.js');
    const res = await citizen.request(`${t.issuer}/office/history`, { form: { _csrf: await officeCsrf(t, clerk), national_id: ZEYNEP } });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('/office/receipts/');
  });
});
