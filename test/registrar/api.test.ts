import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { REGISTRAR_CONSOLE_CLIENT_ID, REGISTRAR_CONSOLE_REDIRECT } from '../../src/registrar/demo-seed.js';
import { Browser } from '../support/browser.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../support/institution.js';
import { freePort, startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { api, passwordSignIn, passwordToken, registerConsole, smartCardToken, type Console } from './support.js';
import { waitFor } from '../support/wait.js';

// The registrar API end to end: a registrar signs in to a console client with a (software) smart card
// at acr high, and uses the access token on Kapı's registrar API over HTTP. Citizens then sign in with
// what the office handed out, through a real OIDC client as an institution.

jest.setTimeout(120_000);

const AYSE = { nationalId: '10000000146', password: 'Ankara-Kizilay-1923' }; // the demo registrar (PTT-ANK-KIZILAY)
const MEHMET = '12345678950'; // an adult citizen without the registrar role
const DENIZ = '31112223308'; // citizen aged 15, no Kapı account
// Ages against the real clock: Elif (born 2015) stays under 15 until 2030. The exact 14/15 boundary is
// in rules.test.ts, on a fixed clock (Ege, 14, and Deniz, 15, in November 2026).
const ZEYNEP = '56789123416';
const CAGLA = '10090908018';
const ELIF = '19876543238'; // a child, under 15
const GULSEN = '34567891238'; // blue card holder
const SIRIN = '99876543292'; // foreigner

// Identity cards whose numbers the registry records as current.
const ID_CARD = { type: 'tr_identity_card', number: 'A12B34567' }; // Ayşe's: nobody else's
const DENIZ_CARD = { type: 'tr_identity_card', number: 'K31A22233' };
const MEHMET_CARD = { type: 'tr_identity_card', number: 'B23C45678' };
const CAGLA_CARD = { type: 'tr_identity_card', number: 'C34D56789' };

describe('registrar API', () => {
  let pki: TestPki;
  let t: TestKapi;
  let console: Console;
  let token: string;
  let backchannel: Server;
  const logoutTokens: string[] = [];
  let backchannelUrl: string;

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
    console = await registerConsole(t, { minAcr: 'high' });
    token = await smartCardToken(t, pki, console, AYSE.nationalId);
    backchannel = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        logoutTokens.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.writeHead(200).end();
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => backchannel.listen(port, '127.0.0.1', resolve));
    backchannelUrl = `http://127.0.0.1:${port}/logout`;
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
    await new Promise((resolve) => backchannel?.close(resolve));
  });

  describe('who may call it', () => {
    it('accepts a registrar signed in at acr high and names the office', async () => {
      const claims = decodeJwt(token);
      expect(claims.acr).toBe('high');
      const me = await api(t, token, 'GET', '/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ name: 'Ayşe Yılmaz', office: { code: 'PTT-ANK-KIZILAY', name: 'PTT Ankara Kızılay Merkez', kind: 'ptt' } });
      expect(me.headers.get('cache-control')).toBe('no-store');
    });

    it('accepts a token from the demo registrar console (the README example: public client, loopback redirect)', async () => {
      const rp = await client.discovery(new URL(t.issuer), REGISTRAR_CONSOLE_CLIENT_ID, {}, client.None(), { execute: [client.allowInsecureRequests] });
      const demoToken = await smartCardToken(t, pki, { rp, clientId: REGISTRAR_CONSOLE_CLIENT_ID, redirectUri: REGISTRAR_CONSOLE_REDIRECT }, AYSE.nationalId);
      expect(decodeJwt(demoToken)).toMatchObject({ client_id: REGISTRAR_CONSOLE_CLIENT_ID, aud: `${t.issuer}/registrar/v1`, scope: 'registrar', acr: 'high' });
      expect((await api(t, demoToken, 'GET', '/me')).status).toBe(200);
    });

    it('accepts an opaque token too, when the API is registered with opaque tokens (in-process introspection)', async () => {
      const audience = `${t.issuer}/registrar/v1`;
      const rs = t.kapi.services.resourceServers;
      await rs.remove(audience);
      await rs.add({ identifier: audience, name: 'Kapı registrar API', scopes: ['registrar'], tokenFormat: 'opaque' });
      try {
        const opaque = await smartCardToken(t, pki, console, AYSE.nationalId);
        expect(opaque.split('.')).toHaveLength(1);
        expect((await api(t, opaque, 'GET', '/me')).status).toBe(200);
        expect((await api(t, `${opaque}x`, 'GET', '/me')).status).toBe(401);
        const other = await smartCardToken(t, pki, console, MEHMET);
        expect((await api(t, other, 'GET', '/me')).body.error).toBe('not_registrar');
      } finally {
        await rs.remove(audience);
        await rs.add({ identifier: audience, name: 'Kapı registrar API', scopes: ['registrar'], tokenFormat: 'jwt' });
      }
    });

    it.each([
      ['no token', undefined, 401, 'invalid_token'],
      ['a malformed token', 'not-a-jwt', 401, 'invalid_token'],
    ])('refuses %s', async (_name, bad, status, error) => {
      const res = await api(t, bad, 'GET', '/me');
      expect(res.status).toBe(status);
      expect(res.body.error).toBe(error);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="kapi-registrar"/);
    });

    it('refuses a token with a tampered payload', async () => {
      const [h, p, s] = token.split('.') as [string, string, string];
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString('base64url')}.${s}`;
      expect((await api(t, forged, 'GET', '/me')).status).toBe(401);
    });

    it('refuses a password sign-in (acr low) with RFC 9470 insufficient_user_authentication', async () => {
      const lowConsole = await registerConsole(t);
      const low = await passwordToken(t, lowConsole, AYSE.nationalId, AYSE.password);
      expect(decodeJwt(low).acr).toBe('low');
      const res = await api(t, low, 'POST', '/people/lookup', { national_id: DENIZ });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('insufficient_user_authentication');
      expect(res.headers.get('www-authenticate')).toContain('error="insufficient_user_authentication"');
      expect(res.headers.get('www-authenticate')).toContain('acr_values="high"');
    });

    it('refuses an account without the registrar role, even at acr high', async () => {
      const other = await smartCardToken(t, pki, console, MEHMET);
      const res = await api(t, other, 'POST', '/people/lookup', { national_id: DENIZ });
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('not_registrar');
    });

    it('refuses a token issued to a client that is not a registrar console', async () => {
      const stranger = await registerConsole(t, { allowed: false, minAcr: 'high' });
      const res = await api(t, await smartCardToken(t, pki, stranger, AYSE.nationalId), 'GET', '/me');
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('insufficient_scope');
    });
  });

  describe('lookups', () => {
    it('shows what issuance needs for an eligible person, and nothing more', async () => {
      const res = await api(t, token, 'POST', '/people/lookup', { national_id: DENIZ });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        national_id: DENIZ,
        identity_type: 'citizen',
        name: 'Deniz Kaya',
        eligible: true,
        accepted_documents: ['identity_card', 'tr_identity_card', 'temporary_identity_document', 'passport', 'qualifying_certificate'],
        has_password: false,
        next_fee: { amount_kurus: 500, currency: 'TRY', display: '5,00 TL' },
        document_rule: 'Şunlardan biri: Nüfus cüzdanı, T.C. Kimlik Kartı, Nüfus müdürlüğünce verilen geçici kimlik belgesi, Pasaport, Yeterlik belgesi.',
      });
    });

    it("tells why a child under 15 cannot get a password, in the caller's language", async () => {
      const tr = await api(t, token, 'POST', '/people/lookup', { national_id: ELIF });
      expect(tr.body).toMatchObject({ eligible: false, refusal: { error: 'under_15' } });
      expect((tr.body.refusal as { message: string }).message).toContain('15 yaşını');
      const en = await api(t, token, 'POST', '/people/lookup', { national_id: ELIF }, { 'accept-language': 'en' });
      expect((en.body.refusal as { message: string }).message).toContain('aged 15 or more');
    });

    it('refuses an unknown number without a name, and a malformed one as a bad request', async () => {
      const unknown = await api(t, token, 'POST', '/people/lookup', { national_id: '11111111110' });
      expect(unknown.status).toBe(422);
      expect(unknown.body.error).toBe('not_in_registry');
      const malformed = await api(t, token, 'POST', '/people/lookup', { national_id: '12345' });
      expect(malformed.status).toBe(400);
      // A typo is an invalid identity number (issue 20 point 7), said in the clerk's language.
      expect(malformed.body).toMatchObject({ error: 'invalid_identity_number', field: 'national_id' });
      expect(malformed.body.message).toContain('Geçersiz kimlik numarası');
    });
  });

  describe('issuance', () => {
    it('issues a random one-time password to a 15-year-old, creating the account from the registry', async () => {
      const res = await api(t, token, 'POST', '/issuances', { national_id: DENIZ, channel: 'self', documents: [DENIZ_CARD] });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        person: { national_id: DENIZ, name: 'Deniz Kaya' },
        must_change: true,
        account_created: true,
        issuance: { office: 'PTT-ANK-KIZILAY', channel: 'self', documents: [DENIZ_CARD], fee: { amount_kurus: 500 } },
      });
      const password = res.body.password as string;
      expect(password).toMatch(/^[2-9A-Za-z]{10}$/);
      const receipt = res.body.receipt as string;
      expect(receipt).toContain('PTT Ankara Kızılay Merkez');
      expect(receipt).toContain('5,00 TL');
      expect(receipt).toContain('311******08');
      expect(receipt).not.toContain(password);
      const account = await t.kapi.services.accounts.findByNationalId(DENIZ);
      const credential = await t.kapi.services.accounts.findPassword(account!.id);
      expect(credential).toMatchObject({ mustChange: true, origin: 'office' });
      expect(credential!.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(await t.kapi.services.hasher.verify(credential!.hash, password)).toBe(true);
      // The password is nowhere else: not in the issuance record, not in the audit trail.
      const stored = JSON.stringify([await t.kapi.services.db('registrar_issuances').select('*'), await t.kapi.services.db('audit_events').select('*')]);
      expect(stored).not.toContain(password);
    });

    it('forces a change at the first sign-in with the office password', async () => {
      const issued = await api(t, token, 'POST', '/issuances', { national_id: ZEYNEP, documents: [{ type: 'passport', number: 'U12345678' }] });
      expect(issued.status).toBe(201);
      const rp = await relyingParty(t, await registerInstitution(t));
      const browser = new Browser();
      const req = await authRequest(rp);
      let page = await passwordSignIn(browser, req.url.href, ZEYNEP, issued.body.password as string);
      expect(page.html).toContain('name="new_password"');
      page = await browser.submit(
        page,
        { new_password: 'Trabzon-Uzun-Bir-Cumle-61', new_password_confirm: 'Trabzon-Uzun-Bir-Cumle-61' },
        { name: 'submit', value: 'change' },
        atCallback,
      );
      if (!atCallback(page.url)) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
      expect(atCallback(page.url)).toBe(true);
      const account = await t.kapi.services.accounts.findByNationalId(ZEYNEP);
      expect((await t.kapi.services.accounts.findPassword(account!.id))?.mustChange).toBe(false);
    });

    it('charges 20 TL for every later password, whatever the reason, and re-opens a closed password login', async () => {
      const account = await t.kapi.services.accounts.findByNationalId(DENIZ);
      await t.kapi.services.db('accounts').where({ id: account!.id }).update({ password_login_enabled: false });
      const second = await api(t, token, 'POST', '/issuances', { national_id: DENIZ, documents: [DENIZ_CARD] });
      expect(second.status).toBe(201);
      expect(second.body).toMatchObject({
        issuance: { fee: { amount_kurus: 2000, display: '20,00 TL' } },
        account_created: false,
        password_login_reopened: true,
      });
      expect((await t.kapi.services.accounts.findById(account!.id))?.passwordLoginEnabled).toBe(true);
      const third = await api(t, token, 'POST', '/issuances', { national_id: DENIZ, documents: [DENIZ_CARD] }, { 'accept-language': 'en' });
      expect(third.body).toMatchObject({ issuance: { fee: { amount_kurus: 2000, display: '20.00 TL' } }, password_login_reopened: false });
      expect(third.body.password).not.toBe(second.body.password);
      expect(third.body.receipt).toContain('password issuance receipt');
    });

    it.each([
      ['a citizen under 15', { national_id: ELIF, documents: [ID_CARD] }, 422, 'under_15'],
      [
        'a blue card holder with the card alone',
        { national_id: GULSEN, documents: [{ type: 'blue_card', number: 'MK1234567' }] },
        422,
        'blue_card_needs_photo_id',
      ],
      [
        'a foreigner with a work permit alone',
        { national_id: SIRIN, documents: [{ type: 'work_permit', number: 'WP-2024-991' }] },
        422,
        'work_permit_needs_passport',
      ],
      ['an unknown document type', { national_id: DENIZ, documents: [{ type: 'library_card', number: 'LC123' }] }, 400, 'document_unknown'],
      ['a citizen with no document', { national_id: DENIZ, documents: [] }, 422, 'documents_missing'],
      ['an ID card that is not the one the registry records (lost, replaced, forged)', { national_id: DENIZ, documents: [ID_CARD] }, 422, 'document_mismatch'],
      [
        "a proxy whose ID card is not the registry's",
        {
          national_id: ZEYNEP,
          channel: 'proxy',
          representative: {
            national_id: CAGLA,
            document: ID_CARD,
            authority: { number: '7', date: '2026-01-15', issuer: 'Noter', authorises_password_receipt: true },
          },
        },
        422,
        'representative_document_mismatch',
      ],
      ["a password of staff's choosing", { national_id: DENIZ, documents: [DENIZ_CARD], password: 'Secilmis-Sifre-2024' }, 400, 'invalid_request'],
      [
        'a proxy whose power of attorney does not authorise receiving the password',
        {
          national_id: ZEYNEP,
          channel: 'proxy',
          representative: { national_id: CAGLA, document: CAGLA_CARD, authority: { number: '12345', date: '2026-01-15', issuer: 'Ankara 5. Noterliği' } },
        },
        422,
        'proxy_not_authorised',
      ],
      [
        'a proxy who is a child',
        {
          national_id: ZEYNEP,
          channel: 'proxy',
          representative: {
            national_id: ELIF,
            document: ID_CARD,
            authority: { number: '12345', date: '2026-01-15', issuer: 'Ankara 5. Noterliği', authorises_password_receipt: true },
          },
        },
        422,
        'representative_minor',
      ],
      ['a proxy channel without the proxy', { national_id: ZEYNEP, channel: 'proxy' }, 422, 'representative_missing'],
      [
        'an authority dated in the future',
        {
          national_id: ZEYNEP,
          channel: 'guardian',
          representative: {
            national_id: CAGLA,
            document: CAGLA_CARD,
            authority: { number: '2026/77', date: '2999-01-01', issuer: 'Ankara 3. Sulh Hukuk Mahkemesi' },
          },
        },
        422,
        'authority_date_invalid',
      ],
    ])('refuses %s', async (_name, body, status, error) => {
      const before = await t.kapi.services.db('registrar_issuances').count<{ count: string }[]>('id as count');
      const res = await api(t, token, 'POST', '/issuances', body);
      expect(res.status).toBe(status);
      expect(res.body.error).toBe(error);
      expect(typeof res.body.message).toBe('string');
      expect(res.body.password).toBeUndefined();
      // Nothing stored half-way.
      expect(await t.kapi.services.db('registrar_issuances').count<{ count: string }[]>('id as count')).toEqual(before);
    });

    it('charges 5 TL once when counters issue for the same person at the same moment', async () => {
      const GULNARA = '99234567106'; // a foreigner with a demo account and no office password yet
      const answers = await Promise.all(
        [1, 2, 3].map(() => api(t, token, 'POST', '/issuances', { national_id: GULNARA, documents: [{ type: 'residence_permit', number: 'RP-4471' }] })),
      );
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
      expect(answers.map((a) => (a.body.issuance as { fee: { amount_kurus: number } }).fee.amount_kurus).sort((a, b) => a - b)).toEqual([500, 2000, 2000]);
    });

    it('issues through a proxy whose power of attorney authorises it, recording the proxy and the deed', async () => {
      const res = await api(t, token, 'POST', '/issuances', {
        national_id: SIRIN,
        channel: 'proxy',
        representative: {
          national_id: CAGLA,
          document: { type: 'tr_identity_card', number: 'C34D56789' },
          authority: { number: '2026/4411', date: '2026-10-02', issuer: 'İzmir 12. Noterliği', authorises_password_receipt: true },
        },
      });
      expect(res.status).toBe(201);
      expect(res.body.issuance).toMatchObject({
        channel: 'proxy',
        documents: [],
        representative: {
          national_id: CAGLA,
          name: 'Çağla Şahin',
          document: { type: 'tr_identity_card', number: 'C34D56789' },
          authority: { type: 'power_of_attorney', number: '2026/4411', date: '2026-10-02' },
        },
      });
      expect(res.body.receipt).toContain('Vekaletname 2026/4411');
    });

    it('issues through a guardian appointed by a court', async () => {
      const res = await api(t, token, 'POST', '/issuances', {
        national_id: GULSEN,
        channel: 'guardian',
        documents: [{ type: 'nationality_official_id', number: 'DE-7781' }],
        representative: {
          national_id: CAGLA,
          document: CAGLA_CARD,
          authority: { number: '2025/318 E.', date: '2025-06-30', issuer: 'Ankara 3. Sulh Hukuk Mahkemesi' },
        },
      });
      expect(res.status).toBe(201);
      expect(res.body.issuance).toMatchObject({ channel: 'guardian', representative: { authority: { type: 'court_decision' } } });
    });

    it('answers bad transport with the right status', async () => {
      const big = await api(t, token, 'POST', '/issuances', JSON.stringify({ national_id: DENIZ, documents: [DENIZ_CARD], pad: 'x'.repeat(40_000) }));
      expect(big.status).toBe(413);
      const form = await fetch(`${t.issuer}/registrar/v1/issuances`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'national_id=31112223308',
      });
      expect(form.status).toBe(415);
      const broken = await api(t, token, 'POST', '/issuances', '{"national_id": ');
      expect(broken.status).toBe(400);
      const nowhere = await api(t, token, 'GET', '/nothing-here');
      expect(nowhere.status).toBe(404);
      expect(nowhere.body.error).toBe('not_found');
    });
  });

  describe('cancellation', () => {
    it('stops the password at once and ends every session of the person, whatever method started it, with back-channel logout', async () => {
      const issued = await api(t, token, 'POST', '/issuances', { national_id: MEHMET, documents: [MEHMET_CARD] });
      expect(issued.status).toBe(201);
      // Mehmet sets his own password at the first sign-in, at an institution with back-channel logout.
      const metadata = await registerInstitution(t, { backchannelLogoutUri: backchannelUrl });
      const rp = await relyingParty(t, metadata);
      const browser = new Browser();
      const req = await authRequest(rp);
      let page = await passwordSignIn(browser, req.url.href, MEHMET, issued.body.password as string);
      page = await browser.submit(
        page,
        { new_password: 'Lodos-Ruzgari-Esiyor-Bugun', new_password_confirm: 'Lodos-Ruzgari-Esiyor-Bugun' },
        { name: 'submit', value: 'change' },
        atCallback,
      );
      if (!atCallback(page.url)) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
      const tokens = await exchange(rp, req, page.url);
      const account = await t.kapi.services.accounts.findByNationalId(MEHMET);
      // He also signs in with e-signature. The issuance above replaced his earlier password and ended
      // every session he had (DESIGN.md, third round, "Endings"), so this one is new.
      await smartCardToken(t, pki, console, MEHMET).catch(() => undefined); // no registrar role: the session is what counts
      const active = async () => [...new Set((await t.kapi.services.sessions.listActive(account!.id)).map((s) => s.methods.join('+')))].sort();
      expect(await active()).toEqual(['e-signature', 'password']);

      const cancelled = await api(t, token, 'POST', '/cancellations', { national_id: MEHMET, documents: [MEHMET_CARD] });
      expect(cancelled.status).toBe(201);
      // Every session ends, the e-signature one too: whoever held the password may have used it anywhere.
      expect(cancelled.body).toMatchObject({ sessions_ended: 2, cancellation: { kind: 'cancellation', channel: 'self', sessions_ended: 2 } });
      expect(cancelled.body.receipt).toContain('iptal');
      expect(await t.kapi.services.accounts.findPassword(account!.id)).toBeUndefined();
      expect(await active()).toEqual([]);
      // The institution was told, and the browser's session is gone.
      await waitFor(() => logoutTokens.some((lt) => decodeJwt(lt).sub === tokens.claims()!.sub));
      const silent = await authRequest(rp, { prompt: 'none' });
      expect(new URL((await browser.go(silent.url.href, {}, atCallback)).url).searchParams.get('error')).toBe('login_required');
      // The password no longer works.
      const again = await passwordSignIn(new Browser(), (await authRequest(rp)).url.href, MEHMET, 'Lodos-Ruzgari-Esiyor-Bugun');
      expect(again.status).toBe(401);
      // Nothing left to cancel.
      const twice = await api(t, token, 'POST', '/cancellations', { national_id: MEHMET, documents: [MEHMET_CARD] });
      expect(twice.status).toBe(409);
      expect(twice.body.error).toBe('no_password');
    });

    it('applies the proxy rules to cancellation too', async () => {
      const res = await api(t, token, 'POST', '/cancellations', {
        national_id: DENIZ,
        channel: 'proxy',
        representative: {
          national_id: CAGLA,
          document: CAGLA_CARD,
          authority: { number: '1', date: '2026-01-01', issuer: 'Noter', authorises_password_receipt: false },
        },
      });
      expect(res.status).toBe(422);
      expect(res.body.error).toBe('proxy_not_authorised');
    });
  });

  describe('history, audit, OpenAPI', () => {
    it("lists the office's own records, newest first", async () => {
      const res = await api(t, token, 'POST', '/history', { national_id: DENIZ });
      expect(res.status).toBe(200);
      const entries = res.body.entries as { kind: string; fee?: { amount_kurus: number }; national_id: string }[];
      expect(entries.map((e) => e.fee?.amount_kurus)).toEqual([2000, 2000, 500]);
      expect(entries.every((e) => e.national_id === DENIZ)).toBe(true);
      const all = await api(t, token, 'POST', '/history', {});
      expect((all.body.entries as unknown[]).length).toBeGreaterThanOrEqual(7);
    });

    it('audits every lookup, issuance, refusal and cancellation with the staff member and office', async () => {
      const events = await t.kapi.services.db('audit_events').where('type', 'like', 'registrar.%').select('type', 'actor', 'detail');
      const types = new Set(events.map((e: { type: string }) => e.type));
      for (const type of [
        'registrar.lookup',
        'registrar.password_issued',
        'registrar.issue_refused',
        'registrar.password_cancelled',
        'registrar.sessions_ended',
      ])
        expect(types).toContain(type);
      const ayse = await t.kapi.services.accounts.findByNationalId(AYSE.nationalId);
      expect(events.every((e: { actor: string }) => e.actor === `registrar:${ayse!.id}`)).toBe(true);
    });

    it('serves an OpenAPI 3.1 document that describes the registrar API', async () => {
      const res = await fetch(`${t.issuer}/openapi.json`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as {
        openapi: string;
        servers: { url: string }[];
        paths: Record<string, unknown>;
        components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
      };
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.servers[0]!.url).toBe(t.issuer);
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/registrar/v1/issuances',
          '/registrar/v1/cancellations',
          '/registrar/v1/people/lookup',
          '/registrar/v1/history',
          '/registrar/v1/me',
          '/registrar/v1/document-types',
        ]),
      );
      const request = doc.components.schemas.RegistrarCounterRequest!;
      expect(Object.keys(request.properties!)).toEqual(['national_id', 'channel', 'documents', 'representative', 'office']);
      expect(JSON.stringify(request)).toContain('work_permit');
    });

    it('limits registry lookups per staff member', async () => {
      let last: Awaited<ReturnType<typeof api>> | undefined;
      for (let i = 0; i < 70 && last?.status !== 429; i++) last = await api(t, token, 'POST', '/people/lookup', { national_id: DENIZ });
      expect(last?.status).toBe(429);
      expect(last?.body.error).toBe('too_many_requests');
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });
});
