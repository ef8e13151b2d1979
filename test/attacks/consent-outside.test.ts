import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// Outside attack on consent (attack3). Any institution may name a registered API with `resource=` and
// ask for its scopes (the client's registration lists OpenID scopes only). The consent page listed the
// claims and offline_access, never the API: asked for `tax:read` on the tax authority's API and nothing
// else, it told the person "This institution asks for nothing beyond confirming who you are", and her
// "Allow" gave the institution an access token for that API. What the person allows must be on the page.

const ayse = DEMO_CITIZENS[0]!;
const API = 'https://api.tax.example/';

describe('attacks: consent to an API the page does not name', () => {
  let t: TestKapi;
  beforeAll(async () => {
    t = await startKapi();
    await t.kapi.services.resourceServers.add({ identifier: API, name: 'Vergi API', scopes: ['tax:read'] });
  });
  afterAll(async () => t?.stop());

  it('the consent page names the API and the scopes an access token is asked for, and never says the institution asks for nothing', async () => {
    const metadata = await registerInstitution(t, { scopes: ['openid'] });
    const rp = await relyingParty(t, metadata);
    const browser = new Browser();
    const req = await authRequest(rp, { scope: 'openid tax:read', resource: API });
    let page = await browser.go(req.url.href, {}, atCallback);
    page = await browser.submit(page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' }, atCallback);
    expect(page.html).toContain('name="decision"');
    expect(page.html).not.toContain('Bu kurum kimliğinizi doğrulamanın dışında bir bilgi istemiyor.');
    expect(page.html).toContain('Vergi API');
    expect(page.html).toContain('tax:read');
    // What "Allow" gives: an access token for that API with that scope (what the page must have named).
    page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    const tokens = await exchange(rp, req, page.url);
    const claims = decodeJwt(tokens.access_token);
    expect(claims.aud).toBe(API);
    expect(claims.scope).toBe('tax:read');
  });
});
