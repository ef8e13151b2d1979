import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { runRegistrarCli } from './cli-support.js';
import { api, registerConsole, smartCardToken } from './support.js';

// Issue 20 point 7, the clerk's first hour: `kapi registrar` and the registrar API as a new registrar
// meets them. A typo in an identity number is said to be one (not "unknown person"); every validation
// error is in her language and never a library's own text; a cancellation is refused and receipted in
// the words of a cancellation; `check` and `issue` state the passport rule alike; the history is in the
// office's local time with a column naming who did it.

jest.setTimeout(120_000);

const OFFICE = 'PTT-ANK-KIZILAY';
const AYSE = '10000000146'; // the demo registrar
const counter = ['--office', OFFICE, '--staff', AYSE];
const MEHMET = '12345678950';
const MEHMET_CARD = 'tr_identity_card:B23C45678';
const SIRIN = '99876543292'; // a foreigner
const DENIZ = '31112223308';
/** Zod's own wording: a clerk never reads it. */
const LIBRARY_TEXT = /Invalid input|expected|received|Too small|Too big|must be YYYY-MM-DD|not a valid identity number|Unrecognized key/;

describe("the clerk's first hour (issue 20 point 7)", () => {
  let pki: TestPki;
  let t: TestKapi;
  let token: string;

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
    token = await smartCardToken(t, pki, await registerConsole(t, { minAcr: 'high' }), AYSE);
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  const cli = (args: string[], env?: Record<string, string | undefined>) => runRegistrarCli(t.kapi.services, args, env ? { env } : {});
  const lookups = async () => Number((await t.kapi.services.db('audit_events').where({ type: 'registrar.lookup' }).count<{ c: string }[]>({ c: '*' }))[0]!.c);

  it('`check` validates the checksum first: a typo is "invalid identity number", not "unknown person", and nobody is looked up', async () => {
    const before = await lookups();
    const typo = await cli(['check', ...counter, '--national-id', '10000000147']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('invalid_identity_number: Geçersiz kimlik numarası (--national-id)');
    expect(typo.stderr).not.toContain('not_in_registry');
    expect(await lookups()).toBe(before);
    // A well-formed number the registry does not know is that, and says so.
    const unknown = await cli(['check', ...counter, '--national-id', '11111111110']);
    expect(unknown.stderr).toContain('not_in_registry');
    // The API answers the same typo the same way.
    const res = await api(t, token, 'POST', '/people/lookup', { national_id: '10000000147' }, { 'accept-language': 'en' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_identity_number', field: 'national_id' });
    expect(res.body.message).toContain('Invalid identity number (national_id)');
  });

  it("validation errors are in Turkish by default, in English with --lang en or an English LANG, and never in a library's own words", async () => {
    const badDate = [
      'issue',
      ...counter,
      '--national-id',
      MEHMET,
      '--channel',
      'proxy',
      '--rep-national-id',
      '10090908018',
      '--rep-document',
      'tr_identity_card:C34D56789',
      '--authority-number',
      '2026/1',
      '--authority-date',
      '01.03.2026',
      '--authority-issuer',
      'Noter',
      '--authorises-password-receipt',
    ];
    const turkish = await cli(badDate);
    expect(turkish.code).toBe(1);
    expect(turkish.stderr).toContain('Tarih geçersiz (--authority-date): YYYY-AA-GG');
    const english = await cli([...badDate, '--lang', 'en']);
    expect(english.stderr).toContain('Invalid date (--authority-date): write it as YYYY-MM-DD');
    const fromLang = await cli(badDate, { LANG: 'en_US.UTF-8' });
    expect(fromLang.stderr).toContain('Invalid date (--authority-date)');
    const runs = [
      turkish,
      english,
      fromLang,
      await cli(['issue', ...counter, '--national-id', MEHMET, '--channel', 'proxy', '--rep-national-id', '10090908019']),
      await cli(['issue', ...counter, '--national-id', MEHMET, '--channel', 'proxy', '--rep-national-id', '10090908018']),
      await cli(['issue', ...counter, '--national-id', MEHMET, '--document', 'tr_identity_card:X']),
      await cli(['issue', ...counter, '--national-id', MEHMET, '--document', 'ehliyet:12345']),
      await cli(['issue', ...counter, '--national-id', MEHMET, '--channel', 'vekil']),
      await cli(['issue', '--staff', AYSE, '--national-id', MEHMET]),
      await cli(['history', ...counter, '--limit', '0']),
    ];
    expect(runs[3]!.stderr).toContain('Geçersiz kimlik numarası (--rep-national-id)');
    expect(runs[4]!.stderr).toContain('Eksik bilgi: --rep-document');
    expect(runs[5]!.stderr).toContain('Belge numarası geçersiz (--document)');
    expect(runs[6]!.stderr).toContain('Bu belge türü tanınmıyor: ehliyet');
    expect(runs[7]!.stderr).toContain('--channel için geçersiz değer "vekil"');
    expect(runs[8]!.stderr).toContain('--office gerekli');
    expect(runs[9]!.stderr).toContain('--limit 1 ile 200 arasında');
    for (const run of runs) {
      expect(run.code).toBe(1);
      expect(run.stderr).not.toMatch(LIBRARY_TEXT);
    }
    // The API maps the same problems, field by field, in the caller's language.
    const res = await api(t, token, 'POST', '/issuances', {
      national_id: MEHMET,
      channel: 'proxy',
      representative: {
        national_id: '10090908018',
        document: { type: 'tr_identity_card', number: 'C34D56789' },
        authority: { number: '1', date: '01.03.2026', issuer: 'Noter' },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request', field: 'representative.authority.date' });
    expect(res.body.message).toContain('Tarih geçersiz (representative.authority.date)');
    const extra = await api(
      t,
      token,
      'POST',
      '/issuances',
      { national_id: MEHMET, documents: [], password: 'Secilmis-Sifre-2024' },
      { 'accept-language': 'en' },
    );
    expect(extra.body.message).toContain('a field the API does not know: password');
    for (const body of [res.body, extra.body]) expect(String(body.message)).not.toMatch(LIBRARY_TEXT);
  });

  it('a cancellation is refused in the words of a cancellation, not of an issuance (CLI and API)', async () => {
    const mismatch = await cli(['cancel', ...counter, '--national-id', MEHMET, '--document', 'tr_identity_card:B23C45679']);
    expect(mismatch.stderr).toContain('document_mismatch');
    expect(mismatch.stderr).toContain('şifre iptal edilemez');
    expect(mismatch.stderr).not.toContain('verilemez');
    const deed = { number: '2026/1', date: '2026-01-02', issuer: 'Noter' };
    const proxy = await api(t, token, 'POST', '/cancellations', {
      national_id: MEHMET,
      channel: 'proxy',
      representative: { national_id: '10090908018', document: { type: 'tr_identity_card', number: 'C34D56789' }, authority: deed },
    });
    expect(proxy.status).toBe(422);
    expect(proxy.body.error).toBe('proxy_not_authorised');
    expect(proxy.body.message).toContain('iptal ettirmeye yetkili');
    expect(proxy.body.message).not.toContain('teslim almaya');
    const own = await api(
      t,
      token,
      'POST',
      '/cancellations',
      { national_id: AYSE, documents: [{ type: 'tr_identity_card', number: 'A12B34567' }] },
      { 'accept-language': 'en' },
    );
    expect(own.body.message).toContain('You cannot cancel your own password');
    // The same request as an issuance keeps the issuance's words.
    const issueProxy = await api(t, token, 'POST', '/issuances', {
      national_id: MEHMET,
      channel: 'proxy',
      representative: { national_id: '10090908018', document: { type: 'tr_identity_card', number: 'C34D56789' }, authority: deed },
    });
    expect(issueProxy.body.message).toContain('teslim almaya');
  });

  it('a cancellation receipt names whose password went and at whose request, not who received one', async () => {
    expect((await cli(['issue', ...counter, '--national-id', MEHMET, '--document', MEHMET_CARD])).code).toBe(0);
    const cancelled = await cli(['cancel', ...counter, '--national-id', MEHMET, '--document', MEHMET_CARD]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain('e-Devlet şifresi iptal makbuzu');
    expect(cancelled.stdout).toMatch(/Şifresi iptal edilen: +Mehmet Ali Öztürk/);
    expect(cancelled.stdout).toMatch(/Başvuru şekli: +Şahsen/);
    expect(cancelled.stdout).not.toContain('Şifre sahibi');
    expect(cancelled.stdout).not.toContain('Teslim şekli');
    expect((await cli(['issue', ...counter, '--national-id', MEHMET, '--document', MEHMET_CARD])).code).toBe(0);
    const english = await api(
      t,
      token,
      'POST',
      '/cancellations',
      { national_id: MEHMET, documents: [{ type: 'tr_identity_card', number: 'B23C45678' }] },
      { 'accept-language': 'en' },
    );
    expect(english.body.receipt).toMatch(/Password cancelled for: +Mehmet Ali Öztürk/);
    expect(english.body.receipt).toMatch(/Requested: +In person/);
    expect(english.body.receipt).not.toContain('Handed over');
  });

  it("`check` and `issue` state the passport rule in the same words (a foreigner's passport counts only with a work permit)", async () => {
    const check = await cli(['check', ...counter, '--national-id', SIRIN]);
    expect(check.code).toBe(0);
    const rule = 'Yabancılar için pasaport tek başına kabul edilmez; çalışma izni belgesiyle birlikte gösterilmelidir.';
    expect(check.stdout).toContain(rule);
    expect(check.stdout).toMatch(/Kabul edilen belgeler: +Şunlardan biri: İkamet izni belgesi/);
    expect(check.stdout).not.toMatch(/\bpassport\b/); // no bare codes for the clerk to decode
    const issue = await cli(['issue', ...counter, '--national-id', SIRIN, '--document', 'passport:U1234567']);
    expect(issue.code).toBe(1);
    expect(issue.stderr).toContain(`passport_needs_work_permit: ${rule}`);
    // The API's lookup and refusal say it alike, in English too.
    const lookup = await api(t, token, 'POST', '/people/lookup', { national_id: SIRIN }, { 'accept-language': 'en' });
    const refused = await api(
      t,
      token,
      'POST',
      '/issuances',
      { national_id: SIRIN, documents: [{ type: 'passport', number: 'U1234567' }] },
      { 'accept-language': 'en' },
    );
    expect(refused.status).toBe(422);
    expect(String(lookup.body.document_rule)).toContain(String(refused.body.message));
    expect(refused.body.message).toBe('For foreigners a passport alone is not accepted; it must be shown together with the work permit.');
  });

  it("`registrar history` shows the office's local time (Europe/Istanbul unless configured) and who did it", async () => {
    expect((await cli(['issue', ...counter, '--national-id', DENIZ, '--document', 'tr_identity_card:K31A22233'])).code).toBe(0);
    const [latest] = (await t.kapi.services.db('registrar_issuances').orderBy('at', 'desc').limit(1).select('at')) as { at: Date }[];
    const at = new Date(latest!.at);
    const inZone = (timeZone: string) =>
      new Intl.DateTimeFormat('sv-SE', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hour12: false,
      }).format(at);

    const history = await cli(['history', ...counter, '--national-id', DENIZ]);
    expect(history.code).toBe(0);
    const [header, first] = history.stdout.split('\n');
    expect(header).toMatch(/^Zaman \(Europe\/Istanbul\) +İşlem +Kimlik no +Başvuru +Ücret +Görevli +Araç$/);
    expect(first).toContain(inZone('Europe/Istanbul'));
    expect(first).toContain('Şifre verildi');
    expect(first).toContain('Ayşe Yılmaz');
    expect(first).not.toContain(at.toISOString().slice(0, 16));

    const tokyo = await cli(['history', ...counter, '--national-id', DENIZ, '--time-zone', 'Asia/Tokyo', '--lang', 'en']);
    expect(tokyo.stdout.split('\n')[0]).toMatch(/^Time \(Asia\/Tokyo\) +Operation +Identity no +Channel +Fee +Staff +Via$/);
    expect(tokyo.stdout).toContain(inZone('Asia/Tokyo'));
    const badZone = await cli(['history', ...counter, '--time-zone', 'Mars/Olympus']);
    expect(badZone.stderr).toContain('Bilinmeyen saat dilimi "Mars/Olympus"');

    const res = await api(t, token, 'POST', '/history', { national_id: DENIZ });
    expect((res.body.entries as { staff_name: string }[])[0]!.staff_name).toBe('Ayşe Yılmaz');
  });
});
