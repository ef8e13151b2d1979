import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { redirectLogs } from '../../../src/log.js';
import { Browser } from '../../../test/support/browser.js';
import { startKapi, type TestKapi } from '../../../test/support/kapi.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../../../test/support/institution.js';
import { OPERATORS, startMobileSignature, startTestbed, verificationCodeOn, waitAndContinue, type Testbed } from './support.js';

// The AP passwords, the phone numbers and the signed data never reach the logs, even at trace level,
// through successes, refusals, a garbled operator answer and an operator that is down.

jest.setTimeout(60_000);

describe('mobile signature: logs', () => {
  let bed: Testbed;
  let t: TestKapi;
  const lines: string[] = [];
  beforeAll(async () => {
    redirectLogs({ write: (line: string) => void lines.push(line) });
    bed = await startTestbed();
    const file = await bed.writeOperators([bed.entry('turkcell'), bed.entry('vodafone', { endpoint: 'http://127.0.0.1:9/mss' })], 'logs.json');
    t = await startKapi({ env: { KAPI_LOG_LEVEL: 'trace', KAPI_MOBILE_OPERATORS: file } });
  });
  afterAll(async () => {
    await t?.stop();
    await bed?.close();
    redirectLogs(undefined);
  });

  it('never contain the AP password, the GSM number or the data to be signed', async () => {
    const rp = await relyingParty(t, await registerInstitution(t));
    const run = async (phone: string, operator: string) => {
      const browser = new Browser();
      const waiting = await startMobileSignature(browser, (await authRequest(rp)).url.href, { nationalId: '10000000146', phone, operator }, atCallback);
      if (waiting.status === 200) {
        verificationCodeOn(waiting);
        await waitAndContinue(browser, waiting, atCallback);
      }
    };
    await run('5300000001', 'turkcell');
    await run('5300000013', 'turkcell');
    await run('5300000017', 'turkcell');
    await run('5300000018', 'turkcell');
    await run('5300000001', 'vodafone');
    await new Promise((r) => setTimeout(r, 100));
    const all = lines.join('');
    expect(all).toContain('mobile'); // the logger did write about these logins
    const signed = bed.simulator.requests.filter((r) => r.dataToBeSigned).map((r) => r.dataToBeSigned!.split('\n')[3]!); // the nonce line
    for (const secret of [OPERATORS.turkcell!.apPwd, OPERATORS.vodafone!.apPwd, '5300000001', '5300000013', ...signed]) expect(all).not.toContain(secret);
  });
});
