import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as client from 'openid-client';
import { HealthTracker } from '../../adapters/mobile-operators/health.js';
import { operatorsFileSchema } from '../../adapters/mobile-operators/operator-config.js';
import { NO_OBSERVER } from '../../adapters/mobile-operators/port.js';
import { MemoryStateStore } from '../../adapters/storage/state-memory.js';
import { signingText } from '../../interactions/mobile-signature/signing-text.js';
import { redirectLogs } from '../../src/log.js';
import { deriveKey, hmac } from '../../src/security/crypto.js';
import { signTransaction } from '../../src/signer/journey.js';
import { message, type MessageKey, type MessageParams } from '../../src/signer/messages.js';
import { parseServerUrl } from '../../src/signer/protocol.js';
import { Browser } from '../support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { codeOn, signerPost, softwareCard, startSmartCard, startTestPki, type TestPki } from '../support/smart-card.js';
import { startMobileSignature, startTestbed, type Testbed } from '../../interactions/mobile-signature/test/support.js';

// Attempts on the out-of-band methods, whose answer comes from another device (issue 25 point 1,
// second half; issue 19 point 12). A code relayed by an attacker must look wrong on the victim's
// device: the signer and the phone say where (the place of the browser's address, adapters/geoip) and
// when the sign-in began, and for which institution. An operator's health must reflect the operator,
// not one citizen. Every smart-card refusal is logged with its reason and nothing personal beyond a
// keyed hash of the identity number. Kapı sits behind one trusted proxy hop, so the tests choose the
// browser's address with X-Forwarded-For.

jest.setTimeout(180_000);

const AYSE = { nationalId: '10000000146', givenName: 'Ayşe', familyName: 'Yılmaz' };
const MEHMET = { nationalId: '12345678950', givenName: 'Mehmet Ali', familyName: 'Öztürk' };
const ANKARA_IP = '203.0.113.7';
const LONG_PLACE_IP = '198.51.100.20';
const LONG_PLACE = 'Kahramanmaraş Büyükşehir Belediyesi, Onikişubat İlçesi, Türkiye';
const INSTITUTION = 'Tapu ve Kadastro Genel Müdürlüğü';
const LONG_INSTITUTION = 'T.C. Çevre, Şehircilik ve İklim Değişikliği Bakanlığı Tapu ve Kadastro Genel Müdürlüğü Elektronik Hizmetler Dairesi';

/** A browser whose requests reach Kapı through its trusted proxy from `ip`. */
class BrowserAt extends Browser {
  constructor(private readonly ip: string) {
    super('victim-or-attacker/1.0');
  }
  override async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    return super.request(url, { ...init, headers: { 'x-forwarded-for': this.ip, ...init.headers } });
  }
}

/** HH:MM on the Istanbul clock, as the phone shows it; both minutes around a request are accepted. */
function istanbulTimes(from: number, to: number): string[] {
  const format = (ms: number) =>
    new Intl.DateTimeFormat('tr-TR', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Europe/Istanbul' }).format(new Date(ms));
  return [...new Set([format(from), format(to)])];
}

describe("attacks: out-of-band answers say where and when the sign-in began; upstream health is not one citizen's", () => {
  let pki: TestPki;
  let bed: Testbed;
  let t: TestKapi;
  let rp: client.Configuration;
  let longRp: client.Configuration;
  const lines: string[] = [];

  beforeAll(async () => {
    redirectLogs({ write: (line: string) => void lines.push(line) });
    pki = await startTestPki();
    bed = await startTestbed({ answerAfterMs: 300 });
    const places = path.join(bed.dir, 'places.csv');
    await writeFile(places, `# network,place\n203.0.113.0/24,Ankara, Türkiye\n198.51.100.0/24,${LONG_PLACE}\n`);
    // Breakers that stay open long enough to be seen (60 s), three failures to trip, phones that wait 60 s.
    const operators = await bed.writeOperators(
      ['turkcell', 'vodafone', 'turk-telekom'].map((id) => bed.entry(id, { timeoutSeconds: 60, health: { failuresToTrip: 3, coolDownSeconds: 60 } })),
      'attack-operators.json',
    );
    t = await startKapi({ env: { ...pki.env, KAPI_MOBILE_OPERATORS: operators, KAPI_GEOIP_FILE: places, KAPI_TRUST_PROXY_HOPS: '1', KAPI_LOG_LEVEL: 'info' } });
    rp = await relyingParty(t, await registerInstitution(t, { name: INSTITUTION }));
    longRp = await relyingParty(t, await registerInstitution(t, { name: LONG_INSTITUTION }));
  });
  afterAll(async () => {
    await t?.stop();
    await bed?.close();
    await pki?.close();
    redirectLogs(undefined);
  });

  it('a smart-card code relayed to the victim: her kapi-signer names the institution, the time and the place where the sign-in began, before any PIN (a login from Ankara looks wrong to someone in İzmir)', async () => {
    const attacker = new BrowserAt(ANKARA_IP);
    const before = Date.now();
    const waiting = await startSmartCard(attacker, (await authRequest(rp)).url.href, 'e-signature', AYSE.nationalId, atCallback);
    const after = Date.now();
    const code = codeOn(waiting);
    // What the signer API tells the signer.
    const api = (await (await fetch(`${t.issuer}/smart-card/v1/transactions/${code.replace('-', '')}`)).json()) as Record<string, unknown>;
    expect(api).toMatchObject({ service: INSTITUTION, place: 'Ankara, Türkiye' });
    expect(api.started_at).toEqual(expect.any(Number));
    expect((api.started_at as number) * 1000).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect((api.started_at as number) * 1000).toBeLessThanOrEqual(after);
    // What the victim's signer prints, before it touches the card (there is no card here: it stops after).
    const said: { key: MessageKey; params?: MessageParams }[] = [];
    await signTransaction({
      server: parseServerUrl(t.issuer),
      code,
      modulePath: '/nonexistent/libpkcs11-none.so',
      tokenLabel: undefined,
      cert: undefined,
      pinFile: undefined,
      pinStdin: false,
      rsaPss: false,
      interactive: false,
      lang: 'tr',
      timeoutMs: 5000,
      say: (key, params) => void said.push({ key, ...(params ? { params } : {}) }),
    }).catch(() => undefined);
    const origin = said.find((s) => s.key === 'transaction_origin');
    expect(origin).toBeDefined();
    const text = message('tr', 'transaction_origin', origin!.params);
    expect(text).toContain('Ankara, Türkiye');
    const started = new Date((api.started_at as number) * 1000).toLocaleString('tr-TR', { dateStyle: 'short', timeStyle: 'short' });
    expect(text).toContain(started);
    expect(said.findIndex((s) => s.key === 'transaction_origin')).toBeLessThan(said.findIndex((s) => s.key === 'transaction') + 2);
    expect(message('en', 'transaction_origin', origin!.params)).toContain('Ankara, Türkiye');
  });

  it("a mobile-signature request relayed to the victim's phone names the institution, the time and the place where it began, next to the code", async () => {
    const attacker = new BrowserAt(ANKARA_IP);
    const before = Date.now();
    const waiting = await startMobileSignature(
      attacker,
      (await authRequest(rp)).url.href,
      { nationalId: AYSE.nationalId, phone: '0530 000 00 10', operator: 'turkcell' },
      atCallback,
    );
    const after = Date.now();
    expect(waiting.status).toBe(200);
    const shown = bed.simulator
      .pending()
      .filter((p) => p.operator === 'turkcell')
      .at(-1)!.dataToBeDisplayed;
    expect(shown).toContain(INSTITUTION);
    expect(shown).toContain('Ankara, Türkiye');
    expect(istanbulTimes(before, after).some((hhmm) => shown.includes(hhmm))).toBe(true);
    expect(shown).toMatch(/Doğrulama kodu: \d{4}$/);
    expect([...shown].length).toBeLessThanOrEqual(120); // the default operator limit
  });

  it("a long institution name and a long place are shortened to fit the operator's display limit, never the code", async () => {
    const attacker = new BrowserAt(LONG_PLACE_IP);
    const waiting = await startMobileSignature(
      attacker,
      (await authRequest(longRp, { ui_locales: 'en' })).url.href,
      { nationalId: AYSE.nationalId, phone: '0530 000 00 10', operator: 'vodafone' },
      atCallback,
    );
    expect(waiting.status).toBe(200);
    const shown = bed.simulator
      .pending()
      .filter((p) => p.operator === 'vodafone')
      .at(-1)!.dataToBeDisplayed;
    expect([...shown].length).toBeLessThanOrEqual(120);
    expect(shown).toMatch(/Verification code: \d{4}$/);
    expect(shown).toContain('T.C. Çevre'); // the institution comes first, shortened rather than dropped
    expect(shown).toMatch(/\d\d:\d\d/); // the time always fits
  });

  it("one citizen's garbled operator answers (four starts whose answer is not SOAP) do not mark the operator down for the next citizen", async () => {
    for (let i = 0; i < 4; i++) {
      const page = await startMobileSignature(
        new BrowserAt(ANKARA_IP),
        (await authRequest(rp)).url.href,
        { nationalId: AYSE.nationalId, phone: '0530 000 00 18', operator: 'turk-telekom' },
        atCallback,
      );
      expect(page.status).toBe(503);
    }
    const next = await startMobileSignature(
      new BrowserAt('203.0.113.99'),
      (await authRequest(rp)).url.href,
      { nationalId: MEHMET.nationalId, phone: '0530 000 00 02', operator: 'turk-telekom' },
      atCallback,
    );
    expect(next.status).toBe(200);
    expect(next.html).toContain('id="verification-code"');
  });

  it("one transaction's garbled status answers, polled again and again, count once: the operator stays up for everybody", async () => {
    const browser = new BrowserAt(ANKARA_IP);
    const waiting = await startMobileSignature(
      browser,
      (await authRequest(rp)).url.href,
      { nationalId: AYSE.nationalId, phone: '0530 000 00 27', operator: 'vodafone' },
      atCallback,
    );
    expect(waiting.status).toBe(200);
    const pollUrl = `${waiting.url.replace(/\/method\/.*$/, '')}/poll`;
    // Five status queries (at most one per 2 s per transaction), each answered with HTML.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 2100));
      await browser.request(pollUrl);
    }
    const statusQueries = bed.simulator.requests.filter((r) => r.operation === 'MSS_StatusReq' && r.operator === 'vodafone').length;
    expect(statusQueries).toBeGreaterThanOrEqual(3);
    const next = await startMobileSignature(
      new BrowserAt('203.0.113.99'),
      (await authRequest(rp)).url.href,
      { nationalId: MEHMET.nationalId, phone: '0530 000 00 02', operator: 'vodafone' },
      atCallback,
    );
    expect(next.status).toBe(200);
    const ready = (await (await fetch(`${t.issuer}/readyz`)).json()) as { checks: { name: string; state?: string }[] };
    expect(ready.checks.find((c) => c.name === 'mobile-operator:vodafone')?.state).not.toBe('down');
  });

  it('every smart-card refusal is logged with its reason and a keyed hash of the identity number, and nothing else personal', async () => {
    const key = deriveKey(t.kapi.config.masterKey, 'subject-hash');
    const from = lines.length;
    const cases: { reason: string; nationalId: string; run: (code: string) => Promise<unknown> }[] = [
      {
        reason: 'number_mismatch',
        nationalId: AYSE.nationalId,
        run: async (code) => signerPost(t.issuer, code, await softwareCard(pki.ca, { ...MEHMET, profile: 'e-signature' })),
      },
      {
        reason: 'bad_signature',
        nationalId: MEHMET.nationalId,
        run: async (code) => signerPost(t.issuer, code, await softwareCard(pki.ca, { ...MEHMET, profile: 'e-signature' }), { tamper: true }),
      },
      {
        reason: 'wrong_key_usage',
        nationalId: MEHMET.nationalId,
        run: async (code) => signerPost(t.issuer, code, await softwareCard(pki.ca, { ...MEHMET, profile: 'id-card' })),
      },
      {
        reason: 'pin_locked',
        nationalId: AYSE.nationalId,
        run: async (code) => {
          const tx = (await (await fetch(`${t.issuer}/smart-card/v1/transactions/${code}`)).json()) as { transaction_id: string };
          return fetch(`${t.issuer}/smart-card/v1/transactions/${code}/failure`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ transaction_id: tx.transaction_id, reason: 'pin_locked' }),
          });
        },
      },
    ];
    for (const c of cases) {
      const waiting = await startSmartCard(new BrowserAt(ANKARA_IP), (await authRequest(rp)).url.href, 'e-signature', c.nationalId, atCallback);
      await c.run(codeOn(waiting).replace('-', ''));
    }
    await new Promise((r) => setTimeout(r, 100));
    const refusals = lines
      .slice(from)
      .filter((l) => l.includes('smart-card sign-in refused'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(refusals.map((r) => r.reason)).toEqual(cases.map((c) => c.reason));
    for (const [i, r] of refusals.entries()) {
      expect(r).toMatchObject({ method: 'e-signature', subjectHash: hmac(key, cases[i]!.nationalId) });
      const text = JSON.stringify(r);
      for (const personal of [AYSE.nationalId, MEHMET.nationalId, 'Ayşe', 'Mehmet', 'Yılmaz', 'Öztürk', ANKARA_IP, 'Ankara'])
        expect(text).not.toContain(personal);
    }
  });

  it("the breaker still opens for the operator's own failures: garbled answers about three different phones, or three network failures", async () => {
    // The health lives in the state store since issue 20 point 3 (shared by every process): same rules.
    const store = new MemoryStateStore();
    const garbled = new HealthTracker('turkcell', store, NO_OBSERVER, { failuresToTrip: 3 });
    for (let i = 0; i < 10; i++) await garbled.failure('malformed status response', 'phone-a');
    expect((await garbled.snapshot()).state).not.toBe('down'); // one phone, however often
    await garbled.failure('malformed status response', 'phone-b');
    await garbled.failure('malformed status response', 'phone-c');
    expect((await garbled.snapshot()).state).toBe('down');
    const network = new HealthTracker('vodafone', store, NO_OBSERVER, { failuresToTrip: 3 });
    for (let i = 0; i < 3; i++) await network.failure('connect ECONNREFUSED');
    expect((await network.snapshot()).state).toBe('down');
    const mixed = new HealthTracker('turk-telekom', store, NO_OBSERVER, { failuresToTrip: 3 });
    await mixed.failure('malformed', 'phone-a');
    await mixed.success(); // another citizen's answer was fine: the row starts again, and phone-a counts again
    await mixed.failure('malformed', 'phone-a');
    await mixed.failure('timeout');
    await mixed.failure('timeout');
    expect((await mixed.snapshot()).state).toBe('down');
    await store.close();
  });

  it("the phone's text fits an operator's configured display limit (operators file `displayLimit`), code whole, time kept", () => {
    const entry = { ...bed.entry('turkcell'), displayLimit: 60 };
    expect(operatorsFileSchema.parse({ operators: [entry] }).operators[0]!.displayLimit).toBe(60);
    expect(operatorsFileSchema.safeParse({ operators: [{ ...entry, displayLimit: 20 }] }).success).toBe(false); // too short to say anything
    const text = signingText({ transactionId: 'mst_x', clientName: LONG_INSTITUTION, locale: 'tr', at: new Date(), place: LONG_PLACE, displayLimit: 60 });
    expect([...text.dataToBeDisplayed].length).toBeLessThanOrEqual(60);
    expect(text.dataToBeDisplayed).toMatch(/^Kapı girişi: T\.C\. Çevre.*\d\d:\d\d.*Doğrulama kodu: \d{4}$/);
    expect(text.dataToBeDisplayed.endsWith(text.code)).toBe(true);
    const local = signingText({ transactionId: 'mst_y', clientName: 'Vergi', locale: 'en', at: new Date(), place: 'local' });
    expect(local.dataToBeDisplayed).toContain('local network');
    expect(local.dataToBeSigned).toContain('from: local network');
  });
});
