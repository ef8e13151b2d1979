import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as client from 'openid-client';
import { Browser, decode, type Page } from '../../../test/support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../../../test/support/institution.js';
import { startKapi, type TestKapi } from '../../../test/support/kapi.js';
import { codeOn, signerPost, softwareCard, startSmartCard, startTestPki, type TestPki } from '../../../test/support/smart-card.js';
import { createSoftHsm, softHsmAvailable, type SoftHsm } from '../../../test/support/softhsm.js';

// Issue 20 point 6: a wrong card or certificate is told per method. e-Signature needs the qualified
// signing certificate of an e-signature card (or token); the ID card method needs the authentication
// certificate of the Turkish ID card. The page (and kapi-signer) says which certificate to choose, and
// which method suits the card the person actually has, in Turkish and English.

jest.setTimeout(120_000);

const AYSE = { nationalId: '10000000146', givenName: 'Ayşe', familyName: 'Yılmaz' };
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SIGNER = path.join(ROOT, 'bin/kapi-signer.mjs');
const text = (page: Page) => decode(page.html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '));

describe('smart card: advice on a wrong card or certificate, per method', () => {
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

  /** Starts `method`, lets `answer` play the signer's part, and returns the page the browser then shows. */
  async function refusedPage(
    method: 'e-signature' | 'id-card',
    answer: (code: string) => Promise<unknown>,
    params: Record<string, string> = {},
  ): Promise<Page> {
    const browser = new Browser();
    const waiting = await startSmartCard(browser, (await authRequest(rp, params)).url.href, method, AYSE.nationalId, atCallback);
    await answer(codeOn(waiting).replace('-', ''));
    return browser.go(waiting.url.replace(/\/method\/.*$/, ''), {}, atCallback);
  }

  const withCard = (leaf: Parameters<typeof softwareCard>[1]) => async (code: string) => signerPost(t.issuer, code, await softwareCard(pki.ca, leaf));
  const signerReports = (reason: string) => async (code: string) => {
    const tx = (await (await fetch(`${t.issuer}/smart-card/v1/transactions/${code}`)).json()) as { transaction_id: string };
    return fetch(`${t.issuer}/smart-card/v1/transactions/${code}/failure`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ transaction_id: tx.transaction_id, reason }),
    });
  };

  it("e-signature with the ID card's authentication certificate: choose the qualified signing certificate, or the ID card method", async () => {
    const page = await refusedPage('e-signature', withCard({ ...AYSE, profile: 'id-card' }));
    expect(page.status).toBe(400);
    expect(text(page)).toContain(
      'Seçtiğiniz sertifika e-İmza ile giriş için kullanılamaz. Kapı İmzalayıcı\'da e-İmza kartınızdaki nitelikli imza sertifikasını seçin; kart T.C. kimlik kartınızsa "T.C. Kimlik Kartı" yöntemini seçin.',
    );
    const en = await refusedPage('e-signature', withCard({ ...AYSE, profile: 'id-card' }), { ui_locales: 'en' });
    expect(text(en)).toContain(
      'choose the qualified signing certificate on your e-signature card; if the card is your Turkish ID card, choose "National ID card".',
    );
  });

  it('ID card with an e-signature (signing-only) certificate: choose the authentication certificate, or the e-signature method', async () => {
    const page = await refusedPage('id-card', withCard({ ...AYSE, profile: 'e-signature', keyUsage: ['nonRepudiation'] }));
    expect(text(page)).toContain(
      'Seçtiğiniz sertifika kimlik kartıyla giriş için kullanılamaz. Kapı İmzalayıcı\'da T.C. kimlik kartınızdaki kimlik doğrulama sertifikasını seçin; kart e-İmza kartınızsa "e-İmza" yöntemini seçin.',
    );
    expect(text(page)).not.toContain('nitelikli');
    const en = await refusedPage('id-card', withCard({ ...AYSE, profile: 'e-signature', keyUsage: ['nonRepudiation'] }), { ui_locales: 'en' });
    expect(text(en)).toContain('choose the authentication certificate on your Turkish ID card; if the card is your e-signature card, choose "e-Signature".');
  });

  it('a certificate of an unknown provider, a non-qualified one, and a card without certificates: each said for the method in use', async () => {
    const { createTestCa } = await import('../../../keys/test-ca.js');
    const stranger = await createTestCa({ name: 'Stranger' });
    const foreign = async (profile: 'e-signature' | 'id-card', code: string) =>
      signerPost(t.issuer, code, await softwareCard(stranger, { ...AYSE, profile, ocsp: false, crl: false }));
    expect(text(await refusedPage('e-signature', (code) => foreign('e-signature', code)))).toContain(
      'e-İmza ile girişte e-İmza kartınızdaki (ya da tokeninizdeki) nitelikli sertifikayı kullanın',
    );
    expect(text(await refusedPage('id-card', (code) => foreign('id-card', code)))).toContain('Bu sertifika bir T.C. kimlik kartı sertifikası değil.');
    expect(text(await refusedPage('e-signature', withCard({ ...AYSE, profile: 'e-signature', qualified: false })))).toContain(
      "nitelikli elektronik sertifika değil. Kapı İmzalayıcı'da e-İmza kartınızdaki nitelikli imza sertifikasını seçin",
    );
    expect(text(await refusedPage('e-signature', signerReports('no_certificate')))).toContain(
      'Takılı kartın e-İmza kartınız (ya da tokeniniz) olduğunu kontrol edin; T.C. kimlik kartı için "T.C. Kimlik Kartı" yöntemini seçin.',
    );
    expect(text(await refusedPage('id-card', signerReports('no_certificate')))).toContain(
      'Kartta kimlik doğrulama sertifikası bulunamadı. Takılı kartın T.C. kimlik kartınız olduğunu kontrol edin',
    );
    expect(text(await refusedPage('id-card', signerReports('no_certificate'), { ui_locales: 'en' }))).toContain(
      'No authentication certificate was found on the card. Check that the card is your Turkish ID card; for an e-signature card, choose "e-Signature".',
    );
  });

  it('a refusal is not presented as an error in a form field the person could correct', async () => {
    const page = await refusedPage('e-signature', withCard({ ...AYSE, profile: 'id-card' }));
    expect(page.html).toContain('class="error-summary"');
    expect(text(page)).not.toContain('Lütfen aşağıdaki hatayı düzeltin');
  });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
function runSigner(args: string[], env: NodeJS.ProcessEnv, stdin: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SIGNER, ...args], { env, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

(softHsmAvailable('kapi-signer wrong-card messages') ? describe : describe.skip)('kapi-signer: advice on a wrong card, per method', () => {
  const PIN = '654321';
  let pki: TestPki;
  let hsm: SoftHsm;
  let t: TestKapi;
  let rp: client.Configuration;
  beforeAll(async () => {
    pki = await startTestPki();
    hsm = await createSoftHsm();
    // Ayşe's ID card: one authentication certificate, no qualified signing certificate.
    await hsm.initToken('id-card', PIN);
    await hsm.generateKeyPair('id-card', PIN, { id: '01', type: 'EC:prime256v1', keyLabel: 'auth' });
    await hsm.writeCertificate(
      'id-card',
      PIN,
      '01',
      await pki.ca.issueLeaf({ ...AYSE, profile: 'id-card', publicKey: new Uint8Array(await hsm.readPublicKey('id-card', '01')) }),
      'auth',
    );
    t = await startKapi({ env: pki.env });
    rp = await relyingParty(t, await registerInstitution(t));
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
    await hsm?.destroy();
  });

  async function signerOnWrongMethod(lang: 'tr' | 'en'): Promise<Run> {
    const waiting = await startSmartCard(new Browser(), (await authRequest(rp)).url.href, 'e-signature', AYSE.nationalId, atCallback);
    return runSigner(
      ['--server', t.issuer, '--code', codeOn(waiting), '--card', 'softhsm', '--token-label', 'id-card', '--pin-stdin', '--yes', '--lang', lang],
      { ...hsm.env, KAPI_LOG_LEVEL: 'silent' },
      `${PIN}\n`,
    );
  }

  it('the ID card used for an e-signature sign-in: the signer names the certificate to choose and the method for this card', async () => {
    const tr = await signerOnWrongMethod('tr');
    expect(tr.code).toBe(1);
    expect(tr.stderr).toContain(
      'Seçtiğiniz sertifika e-İmza ile giriş için kullanılamaz: e-İmza kartınızdaki nitelikli imza sertifikasını seçin (--cert). Kart T.C. kimlik kartınızsa tarayıcıda "T.C. Kimlik Kartı" yöntemini seçin.',
    );
    const en = await signerOnWrongMethod('en');
    expect(en.stderr).toContain('If the card is your Turkish ID card, choose "National ID card" in the browser.');
  });
});
