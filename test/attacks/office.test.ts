import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Browser } from '../support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { api, passwordSignIn, registerConsole, smartCardToken, type ApiAnswer } from '../registrar/support.js';
import { answerLostAfterCommit, runRegistrarCli, withDatabase } from '../registrar/cli-support.js';
import { accountOf, books, mintRegistrarToken } from './office-support.js';

jest.setTimeout(180_000);

// Issue 19 point 5: separation of duties at the office. A registrar never issues or cancels her own
// password and is never the proxy or guardian in a request she carries out; a request sent twice (a
// double click, a retry after a timeout) issues and charges once, with an Idempotency-Key (IETF
// httpapi draft) on the API and the CLI's own key; and the role matrix of the registrar API: which
// caller, at which level, for which office, on every endpoint.

const OFFICE = 'PTT-ANK-KIZILAY'; // the demo office; its demo registrar is Ayşe
const OTHER_OFFICE = 'PTT-IST-KADIKOY';
const AYSE = '10000000146';
const AYSE_CARD = { type: 'tr_identity_card', number: 'A12B34567' };
const MEHMET = '12345678950';
const MEHMET_CARD = { type: 'tr_identity_card', number: 'B23C45678' };
const CAGLA = '10090908018'; // registrar of the other office
const ISMAIL = '23654859046'; // a second registrar of the demo office
const ZEYNEP = '56789123416';
const ZEYNEP_CARD = { type: 'tr_identity_card', number: 'D45E67890' };
const DENIZ = '31112223308';
const DENIZ_CARD = { type: 'tr_identity_card', number: 'K31A22233' };
const GULSEN = '34567891238'; // blue card holder
const GULNARA = '99234567106'; // foreigner

const deed = (authorises = true) => ({
  number: '2026/4411',
  date: '2026-01-02',
  issuer: 'Ankara 5. Noterliği',
  ...(authorises ? { authorises_password_receipt: true } : {}),
});
const key = () => ({ 'idempotency-key': `"${randomUUID()}"` });

describe('attacks: separation of duties at the office, one issuance per request, the registrar role matrix (issue 19 point 5)', () => {
  let pki: TestPki;
  let t: TestKapi;
  let ayse: string;

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
    ayse = await smartCardToken(t, pki, await registerConsole(t, { minAcr: 'high' }), AYSE);
    const db = t.kapi.services.db;
    await db('registrar_offices').insert({ code: OTHER_OFFICE, name: 'PTT İstanbul Kadıköy', kind: 'ptt' });
    await db('registrar_roles').insert({ account_id: await accountOf(t, CAGLA), office_code: OTHER_OFFICE, granted_by: 'test' });
    await db('registrar_roles').insert({ account_id: await accountOf(t, ISMAIL), office_code: OFFICE, granted_by: 'test' });
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  async function audited(type: string, refusal: string): Promise<number> {
    const rows = (await t.kapi.services.db('audit_events').where({ type }).select('detail')) as { detail: string | { refusal?: string } }[];
    return rows.filter((r) => (typeof r.detail === 'string' ? (JSON.parse(r.detail) as { refusal?: string }) : r.detail).refusal === refusal).length;
  }

  describe('separation of duties', () => {
    it('a registrar issuing a password for herself is refused (403 staff_is_person): nothing issued, nothing charged, the attempt audited', async () => {
      const res = await api(t, ayse, 'POST', '/issuances', { national_id: AYSE, documents: [AYSE_CARD] }, key());
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('staff_is_person');
      expect(res.body.message).toMatch(/kendi şifre/i);
      expect(await books(t, AYSE)).toEqual({ issuances: 0, fees: [], cancellations: 0 });
      expect(await audited('registrar.issue_refused', 'staff_is_person')).toBe(1);
    });

    it('a registrar cancelling her own password is refused (403 staff_is_person): her password stays', async () => {
      const res = await api(t, ayse, 'POST', '/cancellations', { national_id: AYSE, documents: [AYSE_CARD] }, key());
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('staff_is_person');
      expect(await t.kapi.services.accounts.findPassword(await accountOf(t, AYSE))).toBeDefined();
      expect(await books(t, AYSE)).toEqual({ issuances: 0, fees: [], cancellations: 0 });
    });

    it.each(['proxy', 'guardian'])('a registrar acting as the %s in an issuance she performs is refused (403 staff_is_representative)', async (channel) => {
      const before = await books(t, MEHMET);
      const res = await api(
        t,
        ayse,
        'POST',
        '/issuances',
        { national_id: MEHMET, channel, representative: { national_id: AYSE, document: AYSE_CARD, authority: deed() } },
        key(),
      );
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('staff_is_representative');
      expect(await books(t, MEHMET)).toEqual(before);
    });

    it('a registrar acting as the proxy in a cancellation she performs is refused (403 staff_is_representative): the password stays', async () => {
      // Mehmet gets a password at her counter, in person: that is her job.
      expect((await api(t, ayse, 'POST', '/issuances', { national_id: MEHMET, documents: [MEHMET_CARD] }, key())).status).toBe(201);
      const res = await api(
        t,
        ayse,
        'POST',
        '/cancellations',
        { national_id: MEHMET, channel: 'proxy', representative: { national_id: AYSE, document: AYSE_CARD, authority: deed() } },
        key(),
      );
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('staff_is_representative');
      expect(await t.kapi.services.accounts.findPassword(await accountOf(t, MEHMET))).toBeDefined();
      expect((await books(t, MEHMET)).cancellations).toBe(0);
    });

    it('the same holds through `kapi registrar`: the staff member named by --staff is compared with the person and the representative', async () => {
      const self = await runRegistrarCli(t.kapi.services, [
        'issue',
        '--office',
        OFFICE,
        '--staff',
        AYSE,
        '--national-id',
        AYSE,
        '--document',
        'tr_identity_card:A12B34567',
        '--lang',
        'en',
      ]);
      expect(self.code).toBe(1);
      expect(self.stderr).toContain('staff_is_person');
      const proxy = await runRegistrarCli(t.kapi.services, [
        'cancel',
        '--office',
        OFFICE,
        '--staff',
        AYSE,
        '--national-id',
        MEHMET,
        '--channel',
        'proxy',
        '--rep-national-id',
        AYSE,
        '--rep-document',
        'tr_identity_card:A12B34567',
        '--authority-number',
        '2026/1',
        '--authority-date',
        '2026-01-02',
        '--authority-issuer',
        'Noter',
        '--authorises-password-receipt',
      ]);
      expect(proxy.code).toBe(1);
      expect(proxy.stderr).toContain('staff_is_representative');
      expect(await books(t, AYSE)).toEqual({ issuances: 0, fees: [], cancellations: 0 });
      expect((await books(t, MEHMET)).cancellations).toBe(0);
    });
  });

  describe('one request, one issuance (Idempotency-Key)', () => {
    const zeynepKey = `"${randomUUID()}"`;
    const zeynepBody = { national_id: ZEYNEP, documents: [ZEYNEP_CARD] };
    let first: ApiAnswer;

    it('10 parallel identical issuances with one Idempotency-Key issue once and charge once (a double click, a retry)', async () => {
      const answers = await Promise.all(Array.from({ length: 10 }, () => api(t, ayse, 'POST', '/issuances', zeynepBody, { 'idempotency-key': zeynepKey })));
      expect(await books(t, ZEYNEP)).toEqual({ issuances: 1, fees: [500], cancellations: 0 });
      for (const a of answers) expect([201, 409]).toContain(a.status);
      const done = answers.filter((a) => a.status === 201);
      expect(new Set(done.map((a) => (a.body.issuance as { id: string }).id)).size).toBe(1);
      const withPassword = answers.filter((a) => typeof a.body.password === 'string');
      expect(withPassword).toHaveLength(1);
      first = withPassword[0]!;
    });

    it('the answer replayed for the key never shows the password again: the same issuance and receipt, no password', async () => {
      const again = await api(t, ayse, 'POST', '/issuances', zeynepBody, { 'idempotency-key': zeynepKey });
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toMatchObject({
        replayed: true,
        password: null,
        issuance: { id: (first.body.issuance as { id: string }).id, fee: { amount_kurus: 500 } },
      });
      expect(again.body.receipt).toBe(first.body.receipt);
      expect(JSON.stringify(again.body)).not.toContain(first.body.password as string);
      expect(await books(t, ZEYNEP)).toEqual({ issuances: 1, fees: [500], cancellations: 0 });
    });

    it('the same key with another body is refused (422 idempotency_key_reused) and issues nothing', async () => {
      const other = await api(t, ayse, 'POST', '/issuances', { national_id: DENIZ, documents: [DENIZ_CARD] }, { 'idempotency-key': zeynepKey });
      expect(other.status).toBe(422);
      expect(other.body.error).toBe('idempotency_key_reused');
      const asCancellation = await api(t, ayse, 'POST', '/cancellations', zeynepBody, { 'idempotency-key': zeynepKey });
      expect(asCancellation.status).toBe(422);
      expect(await books(t, DENIZ)).toEqual({ issuances: 0, fees: [], cancellations: 0 });
      expect(await books(t, ZEYNEP)).toEqual({ issuances: 1, fees: [500], cancellations: 0 });
    });

    it('an issuance or a cancellation without an Idempotency-Key is refused (400) and does nothing', async () => {
      const issue = await api(t, ayse, 'POST', '/issuances', { national_id: DENIZ, documents: [DENIZ_CARD] }, { 'idempotency-key': '' });
      expect(issue.status).toBe(400);
      expect(issue.body.error).toBe('idempotency_key_missing');
      const cancel = await api(t, ayse, 'POST', '/cancellations', zeynepBody, { 'idempotency-key': '' });
      expect(cancel.status).toBe(400);
      expect(await books(t, DENIZ)).toEqual({ issuances: 0, fees: [], cancellations: 0 });
      expect(await books(t, ZEYNEP)).toEqual({ issuances: 1, fees: [500], cancellations: 0 });
    });

    it('5 parallel identical cancellations with one key cancel once, and every answer is that one cancellation', async () => {
      const cancelKey = { 'idempotency-key': `"${randomUUID()}"` };
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => api(t, ayse, 'POST', '/cancellations', { national_id: MEHMET, documents: [MEHMET_CARD] }, cancelKey)),
      );
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(answers.map((a) => (a.body.cancellation as { id: string }).id)).size).toBe(1);
      expect((await books(t, MEHMET)).cancellations).toBe(1);
    });

    it("a key is the registrar's own: another registrar sending the same key and body gets her own answer, never the first one's", async () => {
      const cagla = await mintRegistrarToken(t, { accountId: await accountOf(t, CAGLA) });
      const hers = await api(t, cagla, 'POST', '/issuances', zeynepBody, { 'idempotency-key': zeynepKey });
      expect(hers.status).toBe(201);
      expect(hers.body.replayed).not.toBe(true);
      expect((hers.body.issuance as { id: string; office: string }).id).not.toBe((first.body.issuance as { id: string }).id);
      expect((hers.body.issuance as { office: string }).office).toBe(OTHER_OFFICE);
      expect(typeof hers.body.password).toBe('string');
    });

    it('a key is kept 24 hours: once it has lapsed, the same key and body are a new request', async () => {
      const lapsedKey = `"${randomUUID()}"`;
      const body = { national_id: DENIZ, documents: [DENIZ_CARD] };
      expect((await api(t, ayse, 'POST', '/issuances', body, { 'idempotency-key': lapsedKey })).status).toBe(201);
      expect((await api(t, ayse, 'POST', '/issuances', body, { 'idempotency-key': lapsedKey })).body.replayed).toBe(true);
      await t.kapi.services.db('registrar_idempotency_keys').update({ created_at: new Date(Date.now() - 25 * 3600_000) });
      const later = await api(t, ayse, 'POST', '/issuances', body, { 'idempotency-key': lapsedKey });
      expect(later.status).toBe(201);
      expect(typeof later.body.password).toBe('string');
      expect(await books(t, DENIZ)).toEqual({ issuances: 2, fees: [500, 2000], cancellations: 0 });
    });

    it("the CLI's own retry after a timeout (the commit applied, its answer lost) issues once, charges once, and shows the password once", async () => {
      const lossy = answerLostAfterCommit(t.kapi.services.db);
      const run = await runRegistrarCli(withDatabase(t.kapi.services, lossy.db), [
        'issue',
        '--office',
        OFFICE,
        '--staff',
        AYSE,
        '--national-id',
        GULSEN,
        '--document',
        'blue_card:M01234567',
        '--document',
        'nationality_passport:P7654321',
        '--json',
      ]);
      expect(lossy.lost()).toBe(1);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const out = JSON.parse(run.stdout) as { password: string; fee_kurus: number };
      expect(out.password).toMatch(/^[2-9A-Za-z]{10}$/);
      expect(out.fee_kurus).toBe(500);
      expect(await books(t, GULSEN)).toEqual({ issuances: 1, fees: [500], cancellations: 0 });
      // The password shown is the one in force.
      const stored = await t.kapi.services.accounts.findPassword(await accountOf(t, GULSEN));
      expect(await t.kapi.services.hasher.verify(stored!.hash, out.password)).toBe(true);
    });

    it('when every retry times out the CLI names its key; running again with it answers the recorded issuance without a second charge', async () => {
      const lossy = answerLostAfterCommit(t.kapi.services.db, { thenUnreachable: true });
      const args = ['issue', '--office', OFFICE, '--staff', AYSE, '--national-id', GULNARA, '--document', 'residence_permit:RP-4471', '--lang', 'en'];
      const failed = await runRegistrarCli(withDatabase(t.kapi.services, lossy.db), args);
      expect(failed.code).toBe(1);
      const resume = /--idempotency-key (\S+)/.exec(failed.stderr)?.[1];
      expect(resume).toBeDefined();
      expect(await books(t, GULNARA)).toEqual({ issuances: 1, fees: [500], cancellations: 0 });
      const again = await runRegistrarCli(t.kapi.services, [...args, '--idempotency-key', resume!]);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/already/i);
      expect(await books(t, GULNARA)).toEqual({ issuances: 1, fees: [500], cancellations: 0 });
    });
    it("a cancellation cut off after its commit still ends every session of the person: the CLI's retry finishes it", async () => {
      const issued = await api(t, ayse, 'POST', '/issuances', {
        national_id: GULSEN,
        documents: [
          { type: 'blue_card', number: 'M01234567' },
          { type: 'nationality_passport', number: 'P7654321' },
        ],
      });
      expect(issued.status).toBe(201);
      const rp = await relyingParty(t, await registerInstitution(t));
      const browser = new Browser();
      let page = await passwordSignIn(browser, (await authRequest(rp)).url.href, GULSEN, issued.body.password as string);
      page = await browser.submit(
        page,
        { new_password: 'Mavi-Kart-Sahibi-Yeni-68', new_password_confirm: 'Mavi-Kart-Sahibi-Yeni-68' },
        { name: 'submit', value: 'change' },
        atCallback,
      );
      if (!atCallback(page.url)) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
      expect(atCallback(page.url)).toBe(true);
      const account = await accountOf(t, GULSEN);
      expect(await t.kapi.services.sessions.listActive(account)).toHaveLength(1);

      const lossy = answerLostAfterCommit(t.kapi.services.db);
      const run = await runRegistrarCli(withDatabase(t.kapi.services, lossy.db), [
        'cancel',
        '--office',
        OFFICE,
        '--staff',
        AYSE,
        '--national-id',
        GULSEN,
        '--document',
        'blue_card:M01234567',
        '--document',
        'nationality_passport:P7654321',
        '--json',
      ]);
      expect(lossy.lost()).toBe(1);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ sessions_ended: 1 });
      expect(await t.kapi.services.sessions.listActive(account)).toEqual([]);
      expect((await books(t, GULSEN)).cancellations).toBe(1);
      expect(await t.kapi.services.accounts.findPassword(account)).toBeUndefined();
    });
  });

  describe('the role matrix: every registrar API endpoint, every caller that is not a registrar of this office at acr high', () => {
    const callers: [string, () => Promise<string>, number, string][] = [
      [
        'an account without the registrar role, at acr high',
        async () => mintRegistrarToken(t, { accountId: await accountOf(t, MEHMET) }),
        403,
        'not_registrar',
      ],
      ['a registrar of another office, naming this office', async () => mintRegistrarToken(t, { accountId: await accountOf(t, CAGLA) }), 403, 'not_registrar'],
      [
        'a registrar signed in at substantial',
        async () => mintRegistrarToken(t, { accountId: await accountOf(t, AYSE), acr: 'substantial' }),
        401,
        'insufficient_user_authentication',
      ],
      [
        'a registrar signed in at low',
        async () => mintRegistrarToken(t, { accountId: await accountOf(t, AYSE), acr: 'low' }),
        401,
        'insufficient_user_authentication',
      ],
      [
        'an expired registrar token',
        async () => mintRegistrarToken(t, { accountId: await accountOf(t, AYSE), issuedAt: -1200, expiresIn: -600 }),
        401,
        'invalid_token',
      ],
      [
        "a registrar token issued before its account's tokens were revoked",
        async () => {
          const ismail = await accountOf(t, ISMAIL);
          const token = await mintRegistrarToken(t, { accountId: ismail, issuedAt: -30 });
          await t.kapi.services.revocations.revokeAccount(ismail, 'test');
          return token;
        },
        401,
        'invalid_token',
      ],
    ];
    const endpoints: [string, Record<string, unknown>][] = [
      ['/people/lookup', { national_id: DENIZ }],
      ['/issuances', { national_id: DENIZ, documents: [DENIZ_CARD] }],
      ['/cancellations', { national_id: DENIZ, documents: [DENIZ_CARD] }],
      ['/history', {}],
    ];

    it.each(callers)(
      '%s is refused on every endpoint with the right status, and nothing is looked up, issued or cancelled',
      async (_who, tokenOf, status, error) => {
        const token = await tokenOf();
        const db = t.kapi.services.db;
        const count = async () => ({
          issuances: Number((await db('registrar_issuances').count<{ c: string }[]>({ c: '*' }))[0]!.c),
          cancellations: Number((await db('registrar_cancellations').count<{ c: string }[]>({ c: '*' }))[0]!.c),
          lookups: Number((await db('audit_events').where({ type: 'registrar.lookup' }).count<{ c: string }[]>({ c: '*' }))[0]!.c),
        });
        const before = await count();
        for (const [path, body] of endpoints) {
          const res = await api(t, token, 'POST', path, { ...body, office: OFFICE }, path === '/issuances' || path === '/cancellations' ? key() : {});
          expect({ path, status: res.status, error: res.body.error }).toEqual({ path, status, error });
        }
        expect(await count()).toEqual(before);
      },
    );

    it("a registrar of another office reading this office's history is refused (403), and her own office's history holds none of its records", async () => {
      const cagla = await mintRegistrarToken(t, { accountId: await accountOf(t, CAGLA) });
      const refused = await api(t, cagla, 'POST', '/history', { office: OFFICE });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe('not_registrar');
      const own = await api(t, cagla, 'POST', '/history', { national_id: ZEYNEP });
      expect(own.status).toBe(200);
      const entries = own.body.entries as { office: string }[];
      expect(entries.length).toBe(1); // her own issuance for Zeynep, not Ayşe's
      expect(entries.every((e) => e.office === OTHER_OFFICE)).toBe(true);
      const cli = await runRegistrarCli(t.kapi.services, ['history', '--office', OFFICE, '--staff', CAGLA]);
      expect(cli.code).toBe(1);
      expect(cli.stderr).toContain('not_registrar');
    });
  });
});
