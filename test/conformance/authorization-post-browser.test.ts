import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { launchChromium, watchCsp } from '../support/chromium.js';
import { authRequest, CALLBACK, exchange, registerInstitution, relyingParty, type AuthRequest } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// oidcc-ensure-post-request-succeeds in Chromium (OpenID Connect Core §3.1.2.1): the institution's own
// page, on its own site, posts the authorization request to Kapı. Kapı's cookies are SameSite=Lax, so
// the cross-site POST carries no Kapı session: the person signs in again (README), then the flow ends at
// the institution with a code. A GET in the same browser reuses the session.

jest.setTimeout(120_000);
const ayse = DEMO_CITIZENS[0];
const browser = await launchChromium();
const describeBrowser = browser ? describe : describe.skip;
const INSTITUTION = new URL(CALLBACK).origin;

/** The institution's page: a form that posts the authorization request to Kapı as soon as it loads. */
function autoPost(issuer: string, req: AuthRequest): string {
  const fields = [...req.url.searchParams]
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${v.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">`)
    .join('');
  return `<!doctype html><html lang="tr"><title>Kurum</title><form id="f" method="post" action="${issuer}/auth">${fields}</form><script>document.getElementById('f').submit()</script></html>`;
}

describeBrowser("POST to the authorization endpoint in Chromium, from the institution's own site", () => {
  let t: TestKapi;
  let context: BrowserContext;
  let page: Page;
  let blocked: string[];
  let rp: Awaited<ReturnType<typeof relyingParty>>;
  let next: AuthRequest;
  const callbacks: string[] = [];

  beforeAll(async () => {
    t = await startKapi();
    rp = await relyingParty(t, await registerInstitution(t, { name: 'Vergi Dairesi' }));
    context = await browser!.newContext();
    // The institution's site is answered here: nothing leaves 127.0.0.1.
    await context.route(`${INSTITUTION}/**`, async (route) => {
      const url = route.request().url();
      if (url.startsWith(CALLBACK)) {
        callbacks.push(url);
        return route.fulfill({ status: 200, contentType: 'text/plain', body: 'institution' });
      }
      return route.fulfill({ status: 200, contentType: 'text/html', body: autoPost(t.issuer, next) });
    });
    page = await context.newPage();
    blocked = await watchCsp(page);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await t?.stop();
  });

  async function postFromInstitution(): Promise<AuthRequest> {
    next = await authRequest(rp);
    await page.goto(`${INSTITUTION}/start`);
    await page.waitForURL((url) => url.href.startsWith(t.issuer) || url.href.startsWith(CALLBACK));
    return next;
  }

  it('signs in after a cross-site POST and returns a code the institution redeems', async () => {
    const req = await postFromInstitution();
    await page.locator('#national_id').waitFor();
    await page.fill('#national_id', ayse.nationalId);
    await page.fill('#password', ayse.password);
    await page.click('button[value="login"]');
    await page.click('button[value="allow"]');
    await page.waitForURL(`${CALLBACK}**`);
    const tokens = await exchange(rp, req, callbacks.at(-1)!);
    expect(tokens.claims()!.acr).toBe('low');
    expect(blocked).toEqual([]);
  });

  it('a second cross-site POST in the same browser carries no session: the person signs in again, while a GET goes straight through', async () => {
    await postFromInstitution();
    await page.locator('#national_id').waitFor();
    expect(page.url()).toContain('/interaction/');
    const get = await authRequest(rp);
    // The GET is answered at once with a redirect to the institution (Chromium does not hand a
    // navigation's redirects to the route above, so the callback is read from the request itself).
    const [callback] = await Promise.all([page.waitForRequest((r) => r.url().startsWith(CALLBACK)), page.goto(get.url.href).catch(() => undefined)]);
    expect((await exchange(rp, get, callback.url())).claims()!.acr).toBe('low');
  });
});
