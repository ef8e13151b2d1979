import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as client from 'openid-client';
import { Browser } from '../../../test/support/browser.js';
import { startKapi, type TestKapi } from '../../../test/support/kapi.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty, personClaims } from '../../../test/support/institution.js';
import { codeOn, startSmartCard, startTestPki, type TestPki } from '../../../test/support/smart-card.js';
import { seededDataDir } from '../../../test/support/seeded-data-dir.js';
import { createSoftHsm, softHsmAvailable, type SoftHsm } from '../../../test/support/softhsm.js';

// The whole journey with real parts: Kapı (this process, over HTTP), the signer as a separate process,
// a SoftHSM2 token holding the key, certificates from a test CA with live OCSP/CRL responders.

jest.setTimeout(120_000);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SIGNER = path.join(ROOT, 'bin/kapi-signer.mjs');
const KAPI = path.join(ROOT, 'bin/kapi.mjs');
const AYSE = { nationalId: '10000000146', givenName: 'Ayşe', familyName: 'Yılmaz' };
const PIN = '654321';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
function runNode(script: string, args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

const describeHsm = softHsmAvailable('smart-card end-to-end') ? describe : describe.skip;

describeHsm('smart-card login through kapi-signer and a SoftHSM2 token', () => {
  let pki: TestPki;
  let hsm: SoftHsm;
  let t: TestKapi;
  let rp: client.Configuration;

  beforeAll(async () => {
    pki = await startTestPki();
    hsm = await createSoftHsm();
    await hsm.initToken('ayse-card', PIN);
    await hsm.generateKeyPair('ayse-card', PIN, { id: '01', type: 'EC:prime256v1', keyLabel: 'auth' });
    const der = await pki.ca.issueLeaf({ ...AYSE, profile: 'id-card', publicKey: new Uint8Array(await hsm.readPublicKey('ayse-card', '01')) });
    await hsm.writeCertificate('ayse-card', PIN, '01', der, 'auth');
    t = await startKapi({ env: pki.env });
    rp = await relyingParty(t, await registerInstitution(t));
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
    await hsm?.destroy();
  });

  async function signWithCard(code: string, pin: string): Promise<Run> {
    return runNode(
      SIGNER,
      ['--server', t.issuer, '--code', code, '--card', 'softhsm', '--token-label', 'ayse-card', '--pin-stdin', '--yes', '--json'],
      { ...hsm.env, KAPI_LOG_LEVEL: 'silent' },
      `${pin}\n`,
    );
  }

  it('signs in with the ID card at acr high; the institution gets the smart-card amr', async () => {
    const browser = new Browser();
    const req = await authRequest(rp, { acr_values: 'high' });
    const started = Date.now();
    const waiting = await startSmartCard(browser, req.url.href, 'id-card', AYSE.nationalId, atCallback);
    const signer = await signWithCard(codeOn(waiting), PIN);
    expect(signer.code).toBe(0);
    expect(signer.stdout + signer.stderr).not.toContain(PIN);
    let page = await browser.go(waiting.url.replace(/\/method\/.*$/, ''), {}, atCallback);
    if (!atCallback(page.url)) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    const claims = await personClaims(rp, await exchange(rp, req, page.url));
    console.info(`smart-card login, authorization request to tokens, signer process included: ${Date.now() - started} ms`);
    expect(claims.acr).toBe('high');
    expect(claims.amr).toEqual(['hwk', 'sc', 'pin']);
    expect(claims.national_id).toBe(AYSE.nationalId);
  });

  it('reports a wrong PIN in the signer and on the waiting page', async () => {
    const browser = new Browser();
    const waiting = await startSmartCard(browser, (await authRequest(rp)).url.href, 'id-card', AYSE.nationalId, atCallback);
    const signer = await signWithCard(codeOn(waiting), '000000');
    expect(signer.code).not.toBe(0);
    const page = await browser.go(waiting.url.replace(/\/method\/.*$/, ''), {}, atCallback);
    expect(page.html).toContain('PIN kodu hatalı');
  });

  it('`kapi dev token` gives the embedded demo a working card', async () => {
    const dataDir = await seededDataDir('kapi-demo-');
    const demo = await startKapi({ env: { DATA_DIR: dataDir, KAPI_ALLOW_SIMULATORS: 'true' } });
    try {
      const port = new URL(demo.issuer).port;
      const made = await runNode(KAPI, ['dev', 'token', '--national-id', AYSE.nationalId, '--json'], {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: port,
        KAPI_ISSUER: demo.issuer,
        KAPI_LOG_LEVEL: 'silent',
      });
      expect(made.code).toBe(0);
      const token = JSON.parse(made.stdout) as { token_label: string; softhsm2_conf: string; pin: string };
      const demoRp = await relyingParty(demo, await registerInstitution(demo));
      const browser = new Browser();
      const req = await authRequest(demoRp);
      const waiting = await startSmartCard(browser, req.url.href, 'e-signature', AYSE.nationalId, atCallback);
      const signer = await runNode(
        SIGNER,
        ['--server', demo.issuer, '--code', codeOn(waiting), '--card', 'softhsm', '--token-label', token.token_label, '--cert', '02', '--pin-stdin', '--yes'],
        { ...process.env, SOFTHSM2_CONF: token.softhsm2_conf },
        `${token.pin}\n`,
      );
      expect(signer.code).toBe(0);
      let page = await browser.go(waiting.url.replace(/\/method\/.*$/, ''), {}, atCallback);
      if (!atCallback(page.url)) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
      expect((await exchange(demoRp, req, page.url)).claims()!.acr).toBe('high');
    } finally {
      await demo.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
