import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as client from 'openid-client';
import { Browser, type Page } from '../support/browser.js';
import { atCallback, authRequest, CALLBACK, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { atConsent, atPasswordForm, ayse, rawPost } from './support.js';

// The browser-facing protections: CSRF on every state-changing form, session fixation, exact redirect
// URIs (no open redirect), clickjacking, CSP without inline code, cookie flags.

/** A browser that keeps every Set-Cookie line and every HTML response's headers it saw. */
class RecordingBrowser extends Browser {
  readonly setCookies: string[] = [];
  readonly pages: { url: string; status: number; headers: Headers; html: string }[] = [];
  constructor(
    private readonly extraHeaders: Record<string, string> = {},
    private readonly rewrite?: (url: string) => string,
  ) {
    super();
  }
  override async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const res = await super.request(this.rewrite ? this.rewrite(url) : url, { ...init, headers: { ...this.extraHeaders, ...init.headers } });
    this.setCookies.push(...res.headers.getSetCookie());
    // Pages only: a redirect's "Redirecting to …" body is never shown.
    if ((res.headers.get('content-type') ?? '').startsWith('text/html') && (res.status < 300 || res.status >= 400)) {
      const html = await res.clone().text();
      this.pages.push({ url, status: res.status, headers: res.headers, html });
    }
    return res;
  }
}

describe('abuse: web protections', () => {
  let t: TestKapi;
  let metadata: Record<string, unknown>;
  let rp: client.Configuration;

  beforeAll(async () => {
    t = await startKapi();
    metadata = await registerInstitution(t, { postLogoutRedirectUris: ['https://institution.example/bye'] });
    rp = await relyingParty(t, metadata);
  });
  afterAll(async () => t?.stop());

  describe('CSRF on every state-changing form', () => {
    it("the password form refuses a missing, forged or other interaction's token (403), and accepts its own", async () => {
      const form = await atPasswordForm(rp);
      const other = await atPasswordForm(rp);
      const fields = `national_id=${ayse.nationalId}&password=${encodeURIComponent(ayse.password)}&submit=login`;
      for (const token of ['', '_csrf=forged', `_csrf=${other.csrf}`, `_csrf=${form.csrf.slice(0, -1)}`]) {
        const res = await rawPost(form.browser, form.action, [token, fields].filter(Boolean).join('&'), 'application/x-www-form-urlencoded');
        expect(res.status).toBe(403);
      }
      const ok = await rawPost(form.browser, form.action, `_csrf=${form.csrf}&${fields}`, 'application/x-www-form-urlencoded');
      expect([302, 303]).toContain(ok.status);
    });

    it('the method chooser and the abort button refuse a request without the token', async () => {
      const form = await atPasswordForm(rp);
      const base = form.action.replace(/\/method\/.*$/, '');
      expect((await rawPost(form.browser, `${base}/method/password`, '', 'application/x-www-form-urlencoded')).status).toBe(403);
      expect((await rawPost(form.browser, `${base}/abort`, 'reason=cancel', 'application/x-www-form-urlencoded')).status).toBe(403);
      // The interaction is still alive: the real form still works after the refused attempts.
      const page = await form.browser.submit(
        form.page,
        { national_id: ayse.nationalId, password: ayse.password },
        { name: 'submit', value: 'login' },
        atCallback,
      );
      expect(atCallback(page.url) || page.html.includes('name="decision"')).toBe(true);
    });

    it('the consent form refuses a forged decision: no consent stored, no code issued', async () => {
      const consent = await atConsent(rp);
      const before = await t.kapi.services.db('consents').count<{ c: number }[]>({ c: '*' });
      const forged = await rawPost(consent.browser, consent.action, 'decision=allow&_csrf=forged', 'application/x-www-form-urlencoded');
      expect(forged.status).toBe(403);
      expect(await t.kapi.services.db('consents').count<{ c: number }[]>({ c: '*' })).toEqual(before);
    });

    it("a cross-site post that carries another browser's valid token is refused (the token is bound to the interaction cookie)", async () => {
      const victim = await atPasswordForm(rp);
      const attacker = new Browser(); // no interaction cookie of the victim
      const res = await rawPost(attacker, victim.action, `_csrf=${victim.csrf}&national_id=${ayse.nationalId}&password=x`, 'application/x-www-form-urlencoded');
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    });

    it('the logout confirmation refuses a post without its xsrf token; the session survives', async () => {
      const browser = new Browser();
      const req = await authRequest(rp);
      let page = await browser.go(req.url.href, {}, atCallback);
      page = await browser.submit(page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' }, atCallback);
      if (!atCallback(page.url)) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
      const confirm = await browser.go(`${t.issuer}/session/end`);
      const action = /<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"|<form[^>]*action="([^"]+)"[^>]*id="op.logoutForm"/.exec(confirm.html);
      const target = new URL((action?.[1] ?? action?.[2] ?? '/session/end/confirm').replace(/&amp;/g, '&'), t.issuer).href;
      const forged = await rawPost(browser, target, 'logout=yes', 'application/x-www-form-urlencoded');
      expect(forged.status).toBe(400);
      const silent = await authRequest(rp, { prompt: 'none' });
      expect(new URL((await browser.go(silent.url.href, {}, atCallback)).url).searchParams.get('code')).toBeTruthy();
    });
  });

  it('session fixation: the session id changes at every login, and a planted session cookie is never adopted', async () => {
    const browser = new Browser();
    browser.cookies.set(
      new URL(t.issuer).host,
      new Map([
        ['kapi_session', 'planted-by-attacker'],
        ['kapi_session.sig', 'x'],
      ]),
    );
    const first = await authRequest(rp);
    let page = await browser.go(first.url.href, {}, atCallback);
    page = await browser.submit(page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' }, atCallback);
    if (!atCallback(page.url)) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    const jar = () => browser.cookies.get(new URL(t.issuer).host)!;
    const afterFirst = jar().get('kapi_session');
    expect(afterFirst).toBeTruthy();
    expect(afterFirst).not.toBe('planted-by-attacker');
    // A second login (prompt=login) in the same browser gets a new session id too.
    const again = await authRequest(rp, { prompt: 'login' });
    page = await browser.go(again.url.href, {}, atCallback);
    page = await browser.submit(page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' }, atCallback);
    expect(atCallback(page.url)).toBe(true);
    expect(jar().get('kapi_session')).not.toBe(afterFirst);
  });

  it('open redirects: only the exact registered redirect URI is ever used', async () => {
    const lookalikes = [
      `${CALLBACK}/`,
      `${CALLBACK}x`,
      `${CALLBACK}/../evil`,
      'https://INSTITUTION.example/cb',
      'http://institution.example/cb',
      'https://institution.example:8443/cb',
      'https://institution.example@evil.example/cb',
      'https://evil.example/cb?https://institution.example/cb',
      `${CALLBACK}#frag`,
      `${CALLBACK}?extra=1`,
      'https://institution.example%2F@evil.example/cb',
      '//evil.example/cb',
      'javascript:alert(1)',
      'https://institution.example/CB',
      `${CALLBACK}%00`,
    ];
    for (const redirectUri of lookalikes) {
      const req = await authRequest(rp, { redirect_uri: redirectUri });
      const res = await fetch(req.url, { redirect: 'manual' });
      expect({ redirectUri, status: res.status }).toEqual({ redirectUri, status: 400 });
      expect(res.headers.get('location')).toBeNull();
    }
    // The post-logout redirect is exact too.
    for (const uri of ['https://institution.example/bye/', 'https://evil.example/bye', 'https://institution.example/bye?x=1']) {
      const res = await fetch(
        `${t.issuer}/session/end?client_id=${encodeURIComponent(String(metadata.client_id))}&post_logout_redirect_uri=${encodeURIComponent(uri)}`,
        { redirect: 'manual' },
      );
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it("every HTML page: frame-ancestors 'none' + X-Frame-Options DENY, a CSP without unsafe-inline/unsafe-eval, no inline script or style", async () => {
    const browser = new RecordingBrowser();
    const req = await authRequest(rp, { prompt: 'consent' });
    let page: Page = await browser.go(req.url.href, {}, atCallback);
    await browser.submit(page, { national_id: '12345678901', password: 'x' }, { name: 'submit', value: 'login' }, atCallback); // error state of the form
    page = await browser.submit(page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' }, atCallback); // consent
    page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    await browser.go(`${t.issuer}/interaction/unknown-interaction`); // the start-again page
    await browser.go(`${t.issuer}/no-such-page`); // 404
    await browser.go((await authRequest(rp, { redirect_uri: 'https://evil.example/cb' })).url.href, {}, atCallback); // oidc-provider's error, rendered by Kapı
    const logout = await browser.go(`${t.issuer}/session/end`); // logout question
    await browser.submit(logout, {}, { name: 'logout', value: 'yes' }); // logged-out page
    await browser.go(`${t.issuer}/?lang=en`);
    await browser.go((await authRequest(rp, { acr_values: 'high', ui_locales: 'en' })).url.href, {}, atCallback); // chooser
    expect(browser.pages.length).toBeGreaterThanOrEqual(8);
    for (const seen of browser.pages) {
      const csp = seen.headers.get('content-security-policy') ?? '';
      const where = `${seen.status} ${seen.url}`;
      expect({ where, csp: /frame-ancestors 'none'/.test(csp) }).toEqual({ where, csp: true });
      expect({ where, xfo: seen.headers.get('x-frame-options') }).toEqual({ where, xfo: 'DENY' });
      expect({ where, unsafe: /unsafe-inline|unsafe-eval|\*/.test(csp) }).toEqual({ where, unsafe: false });
      expect({ where, nosniff: seen.headers.get('x-content-type-options') }).toEqual({ where, nosniff: 'nosniff' });
      // What the CSP forbids is not on the page either (it would be blocked and break the page).
      expect({ where, inline: /<script(?![^>]*\bsrc=)[^>]*>|<style[\s>]|\sstyle="|\son[a-z]+="/i.test(seen.html) }).toEqual({ where, inline: false });
    }
  });

  it('cookie flags behind the TLS proxy: Secure, HttpOnly, SameSite, host-only, on every cookie Kapı sets', async () => {
    const behind = await startKapi({ env: { KAPI_ISSUER: 'https://giris.example.gov.tr', KAPI_TRUST_PROXY_HOPS: '1' } });
    try {
      const md = await registerInstitution(behind);
      const local = `http://127.0.0.1:${behind.kapi.config.port}`;
      const browser = new RecordingBrowser({ 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' }, (url) =>
        url.replace(/^https:\/\/(127\.0\.0\.1:\d+|giris\.example\.gov\.tr)/, local),
      );
      const verifier = 'v'.repeat(43);
      const { createHash } = await import('node:crypto');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const auth = `${local}/auth?${new URLSearchParams({ client_id: String(md.client_id), response_type: 'code', scope: 'openid', redirect_uri: CALLBACK, code_challenge: challenge, code_challenge_method: 'S256', state: 's', nonce: 'n' })}`;
      let page = await browser.go(auth, {}, atCallback);
      page = await browser.go(`${page.url}${page.url.includes('?') ? '&' : '?'}lang=en`, {}, atCallback); // sets the language cookie too
      page = await browser.submit(page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' }, atCallback);
      if (!atCallback(page.url)) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
      expect(atCallback(page.url)).toBe(true);
      const names = new Set(browser.setCookies.map((c) => c.split('=')[0]));
      expect([...names]).toEqual(expect.arrayContaining(['kapi_interaction', 'kapi_session', 'kapi_lang']));
      for (const line of browser.setCookies) {
        expect({ line, secure: /;\s*secure/i.test(line) }).toEqual({ line, secure: true });
        expect({ line, httpOnly: /;\s*httponly/i.test(line) }).toEqual({ line, httpOnly: true });
        expect({ line, sameSite: /;\s*samesite=(lax|strict)/i.test(line) }).toEqual({ line, sameSite: true });
        expect({ line, domain: /;\s*domain=/i.test(line) }).toEqual({ line, domain: false });
      }
      // HSTS on an https issuer.
      const res = await fetch(`${local}/healthz`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
    } finally {
      await behind.stop();
    }
  });
});
