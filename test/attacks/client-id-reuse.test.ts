import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { ensureFirstPartyClient } from '../../src/clients/first-party-client.js';
import { ClientIdRetired } from '../../src/errors.js';
import { ACCOUNT_CLIENT_ID } from '../../src/web/account/client.js';
import { Browser } from '../support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty, signIn } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// Attempts on a removed institution's client id (found by an outside review of the registration race
// fix): remembered consents, the grants in people's sessions, refresh tokens and a resource server's
// binding name an institution by its client id, and operators choose readable ids (`--client-id`). A
// new registration under a removed id would inherit all of them. Property: a removed institution's
// client id is never registered again (ClientIdRetired), even when the removal and the new
// registration arrive at the same moment; Kapı's own applications may come back under theirs.

const ayse = DEMO_CITIZENS[0]!;
const API = 'https://api.tax-reuse.example/';

describe("attack: a removed institution's client id registered again", () => {
  let t: TestKapi;

  beforeAll(async () => {
    t = await startKapi();
  }, 60_000);
  afterAll(async () => t?.stop());

  it('a consent remembered for a removed institution cannot be inherited: its client id is refused to a new registration', async () => {
    const removed = await relyingParty(t, await registerInstitution(t, { clientId: 'vergi-dairesi', name: 'Vergi Dairesi' }));
    const first = await authRequest(removed, { prompt: 'consent' });
    const browser = new Browser();
    expect(atCallback((await signIn(browser, first.url.href, ayse.nationalId, ayse.password, { consent: 'allow' })).url)).toBe(true);

    expect(await t.kapi.services.clients.remove('vergi-dairesi')).toBe(true);
    const again = registerInstitution(t, { clientId: 'vergi-dairesi', name: 'Başka Bir Kurum' });
    await expect(again).rejects.toBeInstanceOf(ClientIdRetired);
    await expect(again).rejects.toMatchObject({ code: 'invalid_request' });
    expect(await t.kapi.services.clients.show('vergi-dairesi')).toBeUndefined();
  });

  it('a resource server bound to a removed client cannot be introspected by a new registration under that id', async () => {
    const apiMeta = await registerInstitution(t, { clientId: 'tax-api', name: 'Tax API', redirectUris: [], scopes: ['openid'], clientCredentials: true });
    await t.kapi.services.resourceServers.add({ identifier: API, name: 'Tax API', scopes: ['tax:read'], tokenFormat: 'opaque', clientId: 'tax-api' });
    const caller = await relyingParty(t, await registerInstitution(t, { name: 'Çağıran Kurum', scopes: ['openid'], clientCredentials: true }));
    const token = (await client.clientCredentialsGrant(caller, { scope: 'tax:read', resource: API })).access_token;
    expect(((await client.tokenIntrospection(await relyingParty(t, apiMeta), token)) as { active: boolean }).active).toBe(true);

    expect(await t.kapi.services.clients.remove('tax-api')).toBe(true);
    await expect(
      registerInstitution(t, { clientId: 'tax-api', name: 'Sahte API', redirectUris: [], scopes: ['openid'], clientCredentials: true }),
    ).rejects.toBeInstanceOf(ClientIdRetired);
  });

  it('a removal and a new registration of the same id at the same moment: never both (20 pairs in parallel)', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `yarisan-kurum-${i}`);
    for (const clientId of ids) await registerInstitution(t, { clientId });
    const raced = await Promise.all(
      ids.map(async (clientId) => {
        const [removed, added] = await Promise.allSettled([t.kapi.services.clients.remove(clientId), registerInstitution(t, { clientId, name: 'Yeni' })]);
        return {
          removed: removed.status === 'fulfilled' && removed.value,
          added: added.status === 'fulfilled',
          stored: Boolean(await t.kapi.services.clients.show(clientId)),
        };
      }),
    );
    // The add either came first (refused: the id was taken) or after the removal (refused: retired).
    expect(raced.filter((r) => r.added)).toEqual([]);
    expect(raced.every((r) => r.removed && !r.stored)).toBe(true);
  });

  it("Kapı's own applications come back under their ids (same owner: nothing is inherited by anyone else)", async () => {
    const accountApp = ACCOUNT_CLIENT_ID;
    const own = await t.kapi.services.clients.show(accountApp);
    expect(own).toBeDefined();
    expect(await t.kapi.services.clients.remove(accountApp)).toBe(true);
    await ensureFirstPartyClient(t.kapi.services.clients, { clientId: accountApp, name: 'Hesabım', base: `${t.issuer}/account` });
    expect(await t.kapi.services.clients.show(accountApp)).toBeDefined();
  });
});
