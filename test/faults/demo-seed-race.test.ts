import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedDemo, DEMO_CITIZENS } from '../../src/demo/seed.js';
import { DEMO_CLIENT_ID } from '../../src/demo/routes.js';
import { createRegistrar } from '../../src/registrar/index.js';
import { registrarAudience } from '../../src/web/registrar-api/token.js';
import { DEMO_OFFICE, REGISTRAR_CONSOLE_CLIENT_ID, seedRegistrarDemo } from '../../src/registrar/demo-seed.js';
import { ensureConsoleClient } from '../../src/web/console/client.js';
import { ensureOfficeClient } from '../../src/web/office/client.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// Two Kapı processes started at once on one empty database (a rolling start, a compose file with two
// replicas, the soak) each seed the demo and register the built-in clients. Property: every start
// succeeds and each seeded thing exists exactly once (was: the second insert of a citizen, a client or the
// registrar API failed on a unique key and that process did not start).

describe('fault: the demo seed and the built-in clients, run by several starts at once', () => {
  let t: TestKapi;
  beforeAll(async () => {
    t = await startKapi({ env: { KAPI_DEMO: 'false' } });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('four concurrent seeds all succeed, and each citizen, client, office and resource server exists once', async () => {
    const { services, config } = t.kapi;
    const startOnce = async () => {
      await seedDemo({
        issuer: config.issuer,
        accounts: services.accounts,
        clients: services.clients,
        hasher: services.hasher,
        registry: services.registry,
        db: services.db,
      });
      const registrar = createRegistrar(services);
      await seedRegistrarDemo({
        issuer: config.issuer,
        accounts: services.accounts,
        clients: services.clients,
        resourceServers: services.resourceServers,
        registry: services.registry,
        repository: registrar.repository,
        audience: registrarAudience(config.issuer),
      });
      await ensureOfficeClient(services.clients, config.issuer);
      await ensureConsoleClient(services.clients, 'http://127.0.0.1:9999');
    };
    const outcomes = await Promise.allSettled([startOnce(), startOnce(), startOnce(), startOnce()]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? 'started' : String(o.reason)))).toEqual(Array(4).fill('started'));

    const db = services.db;
    for (const citizen of DEMO_CITIZENS) {
      expect(await db('accounts').where({ national_id: citizen.nationalId }).select('id')).toHaveLength(1);
    }
    for (const clientId of [DEMO_CLIENT_ID, REGISTRAR_CONSOLE_CLIENT_ID]) {
      expect(await db('clients').where({ client_id: clientId }).select('client_id')).toHaveLength(1);
    }
    expect(await db('registrar_offices').where({ code: DEMO_OFFICE.code }).select('code')).toHaveLength(1);
    expect(
      await db('resource_servers')
        .where({ identifier: registrarAudience(config.issuer) })
        .select('identifier'),
    ).toHaveLength(1);
  }, 120_000);
});
