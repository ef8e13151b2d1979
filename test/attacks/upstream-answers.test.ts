import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as client from 'openid-client';
import { redirectLogs } from '../../src/log.js';
import { BANK_A, atBank, bankLink, startBankWorld, toBankChooser, type BankWorld } from '../../interactions/banking/test/support.js';
import { Browser, type Page } from '../support/browser.js';
import { CALLBACK, atCallback, authRequest, exchange, personClaims, registerInstitution, relyingParty } from '../support/institution.js';

// Attempts on the answers that come back from an upstream (issue 25 point 1): an answer is accepted
// only in the browser that asked for it. Kapı, a real demo bank (oidc-provider) and openid-client as the
// institution, over HTTP; each browser is its own cookie jar (test/support/browser.ts).

jest.setTimeout(120_000);

const AYSE = { login: '4000146', password: 'Demo-Banka-146', nationalId: '10000000146' };

/** A browser behind the TLS-terminating proxy: every request goes to the local port with X-Forwarded-Proto. */
class ProxiedBrowser extends Browser {
  constructor(
    private readonly rewrite: (url: string) => string,
    private readonly extra: Record<string, string>,
  ) {
    super();
  }
  override async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    return super.request(this.rewrite(url), { ...init, headers: { ...this.extra, ...init.headers } });
  }
}

const atKapiCallback = (issuer: string) => (location: string) => location.startsWith(`${issuer}/banking/callback`);

/** The attacker's half: a bank login started at Kapı whose redirect is not followed; the bank's URL is kept. */
async function attackerStarts(
  w: BankWorld,
  rp: client.Configuration,
  attacker: Browser,
): Promise<{ interactionUrl: string; authorizationUrl: string; setCookies: string[] }> {
  const chooser = await toBankChooser(attacker, (await authRequest(rp)).url.href);
  const res = await attacker.request(bankLink(chooser, BANK_A));
  const authorizationUrl = new URL(res.headers.get('location') ?? '', chooser.url).href;
  if (!authorizationUrl.startsWith(`${w.bankA.issuer}/auth`)) throw new Error(`expected a redirect to the bank, got ${res.status} ${authorizationUrl}`);
  return { interactionUrl: interactionOf(chooser.url), authorizationUrl, setCookies: res.headers.getSetCookie() };
}

/** The interaction's own page (the chooser may have been reached through a POST to /method/banking). */
function interactionOf(url: string): string {
  const match = /^(.*\/interaction\/[^/?#]+)/.exec(url);
  if (!match) throw new Error(`not an interaction page: ${url}`);
  return match[1]!;
}

/** The victim's half: she opens the bank's genuine URL, signs in at her bank, and is sent back to Kapı. */
async function victimSignsInAtBank(w: BankWorld, victim: Browser, authorizationUrl: string): Promise<{ callbackUrl: string; page: Page }> {
  const bankPage = await victim.go(authorizationUrl);
  const atKapi = await atBank(victim, bankPage, AYSE.login, AYSE.password, { stopAt: atKapiCallback(w.t.issuer) });
  if (!atKapiCallback(w.t.issuer)(atKapi.url)) throw new Error(`the bank did not send the victim back to Kapı: ${atKapi.status} ${atKapi.url}`);
  return { callbackUrl: atKapi.url, page: await victim.go(atKapi.url, {}, atCallback) };
}

describe('attacks: an upstream answer is accepted only in the browser that asked for it', () => {
  let w: BankWorld;
  let rp: client.Configuration;
  const lines: string[] = [];

  beforeAll(async () => {
    redirectLogs({ write: (line: string) => void lines.push(line) });
    w = await startBankWorld({ KAPI_LOG_LEVEL: 'info' });
    rp = await relyingParty(w.t, await registerInstitution(w.t));
  });
  afterAll(async () => {
    await w?.close();
    redirectLogs(undefined);
  });

  it("a bank's genuine authorization URL sent to a victim: her answer lands in her browser and the attacker's interaction is not signed in as her (authorization-response injection, RFC 9700 §4.7)", async () => {
    const { db } = w.t.kapi.services;
    const account = await w.t.kapi.services.accounts.findByNationalId(AYSE.nationalId);
    const successesBefore = (await db('sign_ins').where({ account_id: account!.id, result: 'success' })).length;
    const attacker = new Browser('attacker-agent');
    const victim = new Browser('victim-agent');
    const { interactionUrl, authorizationUrl } = await attackerStarts(w, rp, attacker);
    const atVictim = await victimSignsInAtBank(w, victim, authorizationUrl);
    // The attacker reloads his own interaction, waiting for the victim's answer to be merged.
    const atAttacker = await attacker.go(interactionUrl, {}, atCallback);
    let afterConsent = atAttacker;
    if (!atCallback(atAttacker.url) && atAttacker.html.includes('name="decision"'))
      afterConsent = await attacker.submit(atAttacker, {}, { name: 'decision', value: 'allow' }, atCallback);

    // The attacker's browser is neither at the institution nor at consent: it is back at the bank chooser, with the reason.
    expect({ atInstitution: atCallback(afterConsent.url), consent: atAttacker.html.includes('name="decision"') }).toEqual({
      atInstitution: false,
      consent: false,
    });
    expect(atAttacker.status).toBe(400);
    expect(atAttacker.html).toContain(`data-bank="${BANK_A}"`);
    expect(atAttacker.html).toContain('Bankadan gelen yanıt, girişin başlatıldığı tarayıcıda açılmadığı için kullanılmadı');
    expect(atAttacker.html).not.toContain(AYSE.nationalId);
    // Nobody was signed in as the victim.
    expect((await db('sign_ins').where({ account_id: account!.id, result: 'success' })).length).toBe(successesBefore);

    // The victim is told, in her language, that nothing happened and why (403, Turkish by default).
    expect(atVictim.page.status).toBe(403);
    expect(atVictim.page.html).toContain('Bu banka yanıtı bu tarayıcıda başlatılmış bir girişe ait değil');
    expect(atVictim.page.html).toContain('lang="tr"');
  });

  it('the refused answer is recorded (audit event with the bank, a warning without personal data) and stays refused when replayed in the browser that asked', async () => {
    const { db } = w.t.kapi.services;
    const attacker = new Browser('attacker-agent');
    const victim = new Browser('victim-agent');
    const before = (await db('audit_events').where({ type: 'upstream.answer_refused' })).length;
    const linesBefore = lines.length;
    const { authorizationUrl, interactionUrl } = await attackerStarts(w, rp, attacker);
    const { callbackUrl, page } = await victimSignsInAtBank(w, victim, authorizationUrl);
    expect(page.status).toBe(403);
    const events = (await db('audit_events').where({ type: 'upstream.answer_refused' }).orderBy('id', 'asc')) as {
      detail: unknown;
      ip: unknown;
      account_id: unknown;
    }[];
    expect(events.length).toBe(before + 1);
    expect(events.at(-1)!.detail).toEqual({ method: 'banking', upstream: BANK_A, reason: 'other_browser', callback: '/banking/callback' });
    expect(events.at(-1)!.account_id).toBeNull();
    // The warning names the method and the upstream, never the state, the code, the person or her address.
    await new Promise((r) => setTimeout(r, 50));
    const warning = lines.slice(linesBefore).find((l) => l.includes('upstream answer refused'));
    expect(warning).toBeDefined();
    const state = new URL(callbackUrl).searchParams.get('state')!;
    const code = new URL(callbackUrl).searchParams.get('code')!;
    for (const personal of [state, code, AYSE.nationalId, AYSE.login, '127.0.0.1', 'victim-agent']) expect(warning).not.toContain(personal);
    expect(JSON.parse(warning!)).toMatchObject({ level: 40, method: 'banking', upstream: BANK_A, reason: 'other_browser' });

    // The same answer carried to the attacker's browser (which holds the binding) is spent: refused, never merged.
    const replayed = await attacker.go(callbackUrl, {}, atCallback);
    expect(replayed.status).toBe(400);
    const reload = await attacker.go(interactionUrl, {}, atCallback);
    expect(atCallback(reload.url)).toBe(false);
    expect(reload.html).not.toContain('name="decision"');
  });

  it('the binding cookie: HttpOnly, SameSite=Lax, path /banking/callback, as long as the answer may take, a hash of the state (never the state), Secure behind https', async () => {
    const attacker = new Browser();
    const { authorizationUrl, setCookies } = await attackerStarts(w, rp, attacker);
    const state = new URL(authorizationUrl).searchParams.get('state')!;
    const binding = setCookies.filter((c) => c.startsWith('kapi_upstream_'));
    expect(binding).toHaveLength(1);
    const line = binding[0]!;
    expect(line).toMatch(/;\s*path=\/banking\/callback(;|$)/i);
    expect(line).toMatch(/;\s*httponly/i);
    expect(line).toMatch(/;\s*samesite=lax/i);
    const expires = Date.parse(/;\s*expires=([^;]+)/i.exec(line)?.[1] ?? '');
    expect(Math.abs(expires - (Date.now() + 600_000))).toBeLessThan(15_000); // as long as the bank's answer may take
    expect(line).not.toMatch(/;\s*domain=/i);
    expect(line).not.toMatch(/;\s*secure/i); // plain http here; the https case is below
    expect(line).not.toContain(state);

    // Behind the TLS proxy (https issuer, one trusted hop): the same cookie, Secure.
    const behind = await startBankWorld({ KAPI_ISSUER: 'https://giris.example.gov.tr', KAPI_TRUST_PROXY_HOPS: '1' });
    try {
      const local = `http://127.0.0.1:${behind.t.kapi.config.port}`;
      const proxied = new ProxiedBrowser((url) => url.replace('https://giris.example.gov.tr', local), { 'x-forwarded-proto': 'https' });
      const md = await registerInstitution(behind.t);
      const params = new URLSearchParams({
        client_id: String(md.client_id),
        response_type: 'code',
        scope: 'openid',
        redirect_uri: CALLBACK,
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
        state: 'st',
        nonce: 'n',
      });
      const interaction = await toBankChooser(proxied, `${local}/auth?${params}`);
      const res = await proxied.request(bankLink(interaction, BANK_A));
      expect(res.headers.get('location')).toContain(`${behind.bankA.issuer}/auth`);
      const secure = res.headers.getSetCookie().filter((c) => c.startsWith('kapi_upstream_'));
      expect(secure).toHaveLength(1);
      expect(secure[0]).toMatch(/;\s*secure/i);
      expect(secure[0]).toMatch(/;\s*path=\/banking\/callback(;|$)/i);
    } finally {
      await behind.close();
    }
  });

  it("the whole journey in the browser that asked still signs in (acr substantial, amr fed + the bank's), and clears its binding", async () => {
    const browser = new Browser();
    const req = await authRequest(rp);
    const chooser = await toBankChooser(browser, req.url.href);
    const sent = await browser.go(bankLink(chooser, BANK_A), {}, (l) => l.startsWith(`${w.bankA.issuer}/auth`));
    const bankPage = await browser.go(sent.url);
    const atKapi = await atBank(browser, bankPage, AYSE.login, AYSE.password, { stopAt: atKapiCallback(w.t.issuer) });
    const res = await browser.request(atKapi.url);
    expect(res.status).toBe(303);
    expect(
      res.headers.getSetCookie().some((c) => c.startsWith('kapi_upstream_') && /expires=Thu, 01 Jan 1970/i.test(c) && /path=\/banking\/callback/i.test(c)),
    ).toBe(true);
    let page = await browser.go(new URL(res.headers.get('location')!, w.t.issuer).href, {}, atCallback);
    if (!atCallback(page.url) && page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(atCallback(page.url)).toBe(true);
    const claims = await personClaims(rp, await exchange(rp, req, page.url)); // national_id comes from userinfo
    expect(claims.national_id).toBe(AYSE.nationalId);
    expect(claims.acr).toBe('substantial');
    expect(claims.amr).toEqual(['fed', 'pwd', 'otp', 'mfa']);
  });
});
