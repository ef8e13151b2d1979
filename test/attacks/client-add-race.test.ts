import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlreadyExists } from '../../src/errors.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// Attempt: the same institution (client id) or resource server registered 40 times at once (a double-
// clicked console form, two `kapi clients add` runs). Property: exactly one registration is stored, every
// other gets the "already exists" refusal (400, never a 500 from the database's unique key).

describe('attack: the same registration sent 40 times in parallel', () => {
  let t: TestKapi;
  beforeAll(async () => {
    t = await startKapi();
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => 'added',
      (error: unknown) => (error instanceof AlreadyExists && error.status === 400 ? 'exists' : `unexpected: ${String(error)}`),
    );

  it('one client is added; 39 are refused as already existing', async () => {
    const { clients, db } = t.kapi.services;
    const input = {
      clientId: 'race-client',
      name: 'Yarış',
      redirectUris: ['https://race.example/cb'],
      authMethod: 'client_secret_basic' as const,
      scopes: ['openid'],
    };
    const outcomes = await Promise.all(Array.from({ length: 40 }, () => outcome(clients.add(input))));
    expect(outcomes.filter((o) => o === 'added')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'added')).toEqual(Array(39).fill('exists'));
    expect(await db('clients').where({ client_id: 'race-client' }).select('client_id')).toHaveLength(1);
  });

  it('one resource server is added; 39 are refused as already existing', async () => {
    const { resourceServers, db } = t.kapi.services;
    const input = { identifier: 'https://race-api.example', name: 'Yarış API', scopes: ['race'], tokenFormat: 'jwt' as const, accessTokenTtl: 600 };
    const outcomes = await Promise.all(Array.from({ length: 40 }, () => outcome(resourceServers.add(input))));
    expect(outcomes.filter((o) => o === 'added')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'added')).toEqual(Array(39).fill('exists'));
    expect(await db('resource_servers').where({ identifier: 'https://race-api.example' }).select('identifier')).toHaveLength(1);
  });
});
