import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as client from 'openid-client';
import { Browser } from '../../../test/support/browser.js';
import { startKapi, type TestKapi } from '../../../test/support/kapi.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty, personClaims } from '../../../test/support/institution.js';
import { codeOn, signerPost, softwareCard, startSmartCard, startTestPki, type TestPki } from '../../../test/support/smart-card.js';

const AYSE = { nationalId: '10000000146', givenName: 'Ayşe', familyName: 'Yılmaz' };
const ZEYNEP = { nationalId: '56789123416', givenName: 'Zeynep', familyName: 'Işık' }; // no Kapı account yet

describe('smart-card login: what the server checks', () => {
  let pki: TestPki;
  let t: TestKapi;
  let rp: client.Configuration;

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
    rp = await relyingParty(t, await registerInstitution(t));
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  async function waiting(method: 'e-signature' | 'id-card', nationalId: string, params: Record<string, string> = {}) {
    const browser = new Browser();
    const req = await authRequest(rp, params);
    const page = await startSmartCard(browser, req.url.href, method, nationalId, atCallback);
    return { browser, req, page, code: codeOn(page).replace('-', '') };
  }

  async function finish(w: Awaited<ReturnType<typeof waiting>>) {
    const poll = await w.browser.request(`${new URL(w.page.url).origin}${new URL(w.page.url).pathname.replace(/\/method\/.*$/, '')}/poll`);
    expect(await poll.json()).toEqual({ status: 'ready' });
    let page = await w.browser.go(w.page.url.replace(/\/method\/.*$/, ''), {}, atCallback);
    if (!atCallback(page.url) && page.html.includes('name="decision"'))
      page = await w.browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    return page;
  }

  it('offers the smart-card methods on the chooser, and only they reach high', async () => {
    const page = await new Browser().go((await authRequest(rp)).url.href, {}, atCallback);
    expect(page.html).toContain('data-method-form="password"'); // the password form first, the others as buttons
    expect(page.html).toContain('data-method="e-signature"');
    expect(page.html).toContain('data-method="id-card"');
    const browser = new Browser();
    const high = await browser.go((await authRequest(rp, { acr_values: 'high' })).url.href, {}, atCallback);
    expect(high.html).not.toContain('name="password"');
    expect(high.html).toContain('data-method="id-card"');
    // The password cannot be posted to a chooser that does not offer it (the form would start the method).
    const csrf = /name="_csrf" value="([^"]+)"/.exec(high.html)![1]!;
    const uid = /\/interaction\/([^/"]+)\//.exec(high.html)![1]!;
    const posted = await browser.request(`${t.issuer}/interaction/${uid}/method/password/continue`, {
      method: 'POST',
      form: { _csrf: csrf, national_id: AYSE.nationalId, password: 'Ankara-Kizilay-1923', submit: 'login' },
    });
    expect(posted.status).toBe(400);
    expect(await posted.text()).not.toContain('name="decision"');
  });

  it('signs a citizen in with e-signature at acr high, creating the account from the registry', async () => {
    const card = await softwareCard(pki.ca, { ...ZEYNEP, profile: 'e-signature' });
    const w = await waiting('e-signature', ZEYNEP.nationalId, { acr_values: 'high' });
    expect(w.page.html).toContain('data-poll-url');
    const poll = await w.browser.request(w.page.url.replace(/\/method\/.*$/, '/poll'));
    expect(await poll.json()).toEqual({ status: 'pending' });
    expect(await signerPost(t.issuer, w.code, card)).toEqual({ status: 200, body: { status: 'accepted' } });
    const done = await finish(w);
    const claims = await personClaims(rp, await exchange(rp, w.req, done.url));
    expect(claims.acr).toBe('high');
    expect(claims.amr).toEqual(['hwk', 'sc', 'pin']);
    expect(claims.national_id).toBe(ZEYNEP.nationalId);
    expect(await t.kapi.services.accounts.findByNationalId(ZEYNEP.nationalId)).toBeDefined();
  });

  it('signs in with the ID card (RSA key, authentication certificate)', async () => {
    const card = await softwareCard(pki.ca, { ...AYSE, profile: 'id-card' }, 'rsa');
    const w = await waiting('id-card', AYSE.nationalId);
    expect((await signerPost(t.issuer, w.code, card)).status).toBe(200);
    expect((await exchange(rp, w.req, (await finish(w)).url)).claims()!.acr).toBe('high');
  });

  it('refuses a second post for the same transaction, and a signature over a tampered challenge', async () => {
    const card = await softwareCard(pki.ca, { ...AYSE, profile: 'e-signature' });
    const w = await waiting('e-signature', AYSE.nationalId);
    expect((await signerPost(t.issuer, w.code, card)).status).toBe(200);
    expect(await signerPost(t.issuer, w.code, card)).toMatchObject({ status: 409, body: { error: 'transaction_used' } });
    const tampered = await waiting('e-signature', AYSE.nationalId);
    expect(await signerPost(t.issuer, tampered.code, card, { tamper: true })).toMatchObject({ status: 400, body: { error: 'bad_signature' } });
    const page = await tampered.browser.go(tampered.page.url.replace(/\/method\/.*$/, ''), {}, atCallback);
    expect(page.html).toContain('İmza doğrulanamadı');
  });

  it.each([
    ['a certificate of another person', { ...ZEYNEP, profile: 'e-signature' as const }, 'number_mismatch'],
    [
      'an expired certificate',
      { ...AYSE, profile: 'e-signature' as const, notBefore: new Date(Date.now() - 3 * 86400_000), notAfter: new Date(Date.now() - 86400_000) },
      'expired_certificate',
    ],
    ['a certificate without the qualified statements', { ...AYSE, profile: 'e-signature' as const, qualified: false }, 'not_qualified'],
  ])('refuses %s', async (_name, leaf, error) => {
    const card = await softwareCard(pki.ca, leaf);
    const w = await waiting('e-signature', AYSE.nationalId);
    expect(await signerPost(t.issuer, w.code, card)).toMatchObject({ body: { error } });
  });

  it('refuses a signing-only certificate where authentication is required (ID card)', async () => {
    const card = await softwareCard(pki.ca, { ...AYSE, profile: 'id-card', keyUsage: ['nonRepudiation'] });
    const w = await waiting('id-card', AYSE.nationalId);
    expect(await signerPost(t.issuer, w.code, card)).toMatchObject({ status: 403, body: { error: 'wrong_key_usage' } });
  });

  it('refuses a revoked certificate (OCSP) and one from an untrusted root', async () => {
    const card = await softwareCard(pki.ca, { ...AYSE, profile: 'e-signature' });
    const serial = new (await import('../../../adapters/pki/x509.js')).X509Certificate(new Uint8Array(card.certificate)).serialNumber;
    pki.ca.revoke(serial);
    const w = await waiting('e-signature', AYSE.nationalId);
    expect(await signerPost(t.issuer, w.code, card)).toMatchObject({ body: { error: 'revoked' } });

    const { createTestCa } = await import('../../../keys/test-ca.js');
    const stranger = await createTestCa({ name: 'Stranger' });
    const forged = await softwareCard(stranger, { ...AYSE, profile: 'e-signature', ocsp: false, crl: false });
    const w2 = await waiting('e-signature', AYSE.nationalId);
    expect(await signerPost(t.issuer, w2.code, forged)).toMatchObject({ body: { error: 'untrusted' } });
  });

  it('refuses a certificate revoked on the CRL (a certificate without an OCSP address)', async () => {
    const card = await softwareCard(pki.ca, { ...AYSE, profile: 'e-signature', ocsp: false });
    const serial = new (await import('../../../adapters/pki/x509.js')).X509Certificate(new Uint8Array(card.certificate)).serialNumber;
    pki.ca.revoke(serial);
    const w = await waiting('e-signature', AYSE.nationalId);
    expect(await signerPost(t.issuer, w.code, card)).toMatchObject({ body: { error: 'revoked' } });
  });

  it('answers unknown codes with 404 and reports a wrong PIN from the signer on the page', async () => {
    expect((await fetch(`${t.issuer}/smart-card/v1/transactions/AAAAAAAA`)).status).toBe(404);
    const w = await waiting('e-signature', AYSE.nationalId);
    const tx = (await (await fetch(`${t.issuer}/smart-card/v1/transactions/${w.code}`)).json()) as { transaction_id: string };
    const failure = await fetch(`${t.issuer}/smart-card/v1/transactions/${w.code}/failure`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ transaction_id: tx.transaction_id, reason: 'pin_incorrect' }),
    });
    expect(failure.status).toBe(202);
    const page = await w.browser.go(w.page.url.replace(/\/method\/.*$/, ''), {}, atCallback);
    expect(page.html).toContain('PIN kodu hatalı');
  });

  it('expires a transaction after its time, with a clear message', async () => {
    const w = await waiting('e-signature', AYSE.nationalId);
    const key = `sc:{${w.code}}`;
    const raw = (await t.kapi.services.state.get(key))!;
    await t.kapi.services.state.set(key, JSON.stringify({ ...JSON.parse(raw), exp: Math.floor(Date.now() / 1000) - 1 }), 60);
    expect((await fetch(`${t.issuer}/smart-card/v1/transactions/${w.code}`)).status).toBe(410);
    const page = await w.browser.go(w.page.url.replace(/\/method\/.*$/, ''), {}, atCallback);
    expect(page.status).toBe(410);
    expect(page.html).toContain('İşlemin süresi doldu');
  });

  it('can be cancelled from the waiting page', async () => {
    const w = await waiting('id-card', AYSE.nationalId);
    const back = await w.browser.submit(w.page, {}, { name: 'action', value: 'cancel' }, atCallback);
    expect(back.html).toContain('name="national_id"');
    expect((await fetch(`${t.issuer}/smart-card/v1/transactions/${w.code}`)).status).toBe(404);
  });
});
