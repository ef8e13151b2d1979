import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { redirectLogs } from '../../../src/log.js';
import { Browser } from '../../../test/support/browser.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../../../test/support/institution.js';
import { BANK_B, atBank, startBankWorld, toBank, toBankChooser, type BankWorld } from './support.js';

// Bank logins, good and bad, leave no secret in the logs even at trace level: not the client secret
// Kapı uses at the bank, not the bank's code, tokens, state, nonce or PKCE verifier.

describe('online banking: logs', () => {
  let w: BankWorld;
  const lines: string[] = [];
  beforeAll(async () => {
    redirectLogs({ write: (line: string) => void lines.push(line) });
    w = await startBankWorld({ KAPI_LOG_LEVEL: 'trace' });
  });
  afterAll(async () => {
    await w?.close();
    redirectLogs(undefined);
  });

  it("never contain the bank client secret, the bank's code or tokens, state, nonce or the bank password", async () => {
    const rp = await relyingParty(w.t, await registerInstitution(w.t));
    const secrets: string[] = [(await readFile(path.join(w.dir, 'beta.secret'), 'utf8')).trim(), 'Demo-Banka-146', 'Demo-Banka-018'];
    for (const [login, password, mode] of [
      ['4000146', 'Demo-Banka-146', 'pass'],
      ['4000018', 'Demo-Banka-018', 'bad-signature'],
    ] as const) {
      w.proxyB.mode = mode;
      const browser = new Browser();
      const req = await authRequest(rp);
      const chooser = await toBankChooser(browser, req.url.href);
      const { authorizationUrl, page: bankPage } = await toBank(browser, chooser, BANK_B, w.bankB.issuer);
      const sent = new URL(authorizationUrl).searchParams;
      secrets.push(sent.get('state')!, sent.get('nonce')!, sent.get('code_challenge')!);
      const atKapi = await atBank(browser, bankPage, login, password, { stopAt: (l) => l.startsWith(`${w.t.issuer}/banking/callback`) });
      secrets.push(new URL(atKapi.url).searchParams.get('code')!);
      let page = await browser.go(atKapi.url, {}, atCallback);
      if (page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
      if (mode === 'pass') {
        expect(atCallback(page.url)).toBe(true);
        await exchange(rp, req, page.url);
      } else {
        expect(page.status).toBe(400);
      }
    }
    w.proxyB.mode = 'pass';
    await new Promise((r) => setTimeout(r, 100));
    const all = lines.join('');
    expect(all).toContain('online-banking sign-in failed'); // the failure was logged, with its reason
    for (const secret of secrets) expect(all).not.toContain(secret);
  });
});
