import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { redirectLogs } from '../../src/log.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { api, registerConsole, smartCardToken } from './support.js';

// Office issuance at trace level: the one-time password and the registrar's access token never reach
// the log, on the happy path or on refusals.

jest.setTimeout(120_000);

describe('registrar logs', () => {
  let pki: TestPki;
  let t: TestKapi;
  const lines: string[] = [];
  beforeAll(async () => {
    redirectLogs({ write: (line: string) => void lines.push(line) });
    pki = await startTestPki();
    t = await startKapi({ env: { ...pki.env, KAPI_LOG_LEVEL: 'trace' } });
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
    redirectLogs(undefined);
  });

  it('never contain an issued password or the access token', async () => {
    const token = await smartCardToken(t, pki, await registerConsole(t, { minAcr: 'high' }), '10000000146');
    const issued = await api(t, token, 'POST', '/issuances', { national_id: '31112223308', documents: [{ type: 'tr_identity_card', number: 'K31A22233' }] });
    expect(issued.status).toBe(201);
    const again = await api(t, token, 'POST', '/issuances', { national_id: '31112223308', documents: [{ type: 'passport', number: 'U7654321' }] });
    await api(t, token, 'POST', '/issuances', { national_id: '31112223308', documents: [], password: 'Secilmis-Sifre-2024' });
    await api(t, `${token}x`, 'GET', '/me');
    await api(t, token, 'POST', '/cancellations', { national_id: '31112223308', documents: [{ type: 'passport', number: 'U7654321' }] });
    await new Promise((r) => setTimeout(r, 100));
    const all = lines.join('');
    expect(lines.length).toBeGreaterThan(3);
    for (const secret of [issued.body.password as string, again.body.password as string, 'Secilmis-Sifre-2024', token]) expect(all).not.toContain(secret);
  });
});
