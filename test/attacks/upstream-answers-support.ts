import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEMO_BANK_ACR, startDemoBank, type DemoBank } from '../../adapters/banks/demo-bank/server.js';
import { freePort, startKapi, type TestKapi } from '../support/kapi.js';

// A Kapı and a demo bank on different sites, as in real life: Kapı at http://127.0.0.1:<port>, the bank
// at http://localhost:<port>. (Ports do not make sites: two servers on 127.0.0.1 are one site, and
// SameSite would never be exercised.) The bank's redirect back to Kapı is then a cross-site navigation,
// the one the upstream binding cookie must survive (SameSite=Lax) in Chromium.

export const CROSS_SITE_BANK = 'uzak-bank';

export interface CrossSiteBankWorld {
  t: TestKapi;
  bank: DemoBank;
  close(): Promise<void>;
}

export async function startCrossSiteBankWorld(env: Record<string, string> = {}): Promise<CrossSiteBankWorld> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-cross-site-'));
  const port = await freePort();
  const issuer = `http://localhost:${port}`;
  const secret = 'uzak-bank-client-secret-0123456789abcdef';
  await writeFile(path.join(dir, 'uzak.secret'), `${secret}\n`, { mode: 0o600 });
  await writeFile(
    path.join(dir, 'banks.json'),
    JSON.stringify([
      {
        id: CROSS_SITE_BANK,
        name: 'Uzak Bank',
        issuer,
        clientId: 'kapi',
        auth: { method: 'client_secret_basic', secretFile: 'uzak.secret' },
        scopes: ['openid', 'tckn'],
        nationalIdClaim: 'tckn',
        acr: { [DEMO_BANK_ACR.password]: 'low', [DEMO_BANK_ACR.twoFactor]: 'substantial' },
      },
    ]),
  );
  const t = await startKapi({ env: { KAPI_BANKS_FILE: path.join(dir, 'banks.json'), ...env } });
  const bank = await startDemoBank({
    port,
    issuer,
    name: 'Uzak Bank',
    clients: [
      {
        client_id: 'kapi',
        client_name: 'Kapı',
        redirect_uris: [`${t.issuer}/banking/callback`],
        token_endpoint_auth_method: 'client_secret_basic',
        client_secret: secret,
      },
    ],
  });
  return {
    t,
    bank,
    async close() {
      await t.stop();
      await bank.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
