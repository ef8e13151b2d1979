import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { errors } from 'oidc-provider';
import type { EndedSessionMarks, OidcAdapter, OidcPayload } from '../../adapters/storage/port.js';
import { clientSecretContext } from '../../adapters/storage/oidc-postgres.js';
import { type Sealer, sha256 } from '../../src/security/crypto.js';

// The one contract every oidc-provider adapter backend of Kapı passes (memory, Redis, PGlite,
// Postgres). A backend's test only says how to open and inspect that backend.

export interface OidcContractHarness {
  /** An adapter for the model, over the backend's shared storage. */
  adapter(model: string): OidcAdapter;
  /** Everything the backend holds, as text, to look for values that must never be stored. */
  dump(): Promise<string>;
  close(): Promise<void>;
  /** Backends with a clients table: the Client adapter and the raw stored metadata. */
  clients?: {
    sealer: Sealer;
    adapter(): OidcAdapter;
    rawMetadata(clientId: string): Promise<Record<string, unknown> | undefined>;
    writeRawMetadata(clientId: string, metadata: Record<string, unknown>): Promise<void>;
  };
}

export interface OidcContractOptions {
  /** Registers the Client-model tests (the harness must then provide `clients`). */
  clients?: boolean;
  /** The backend holds interactions (the short-lived ones: memory, Redis); Postgres never gets them. */
  interactions?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rid = (label: string) => `${label}-${randomBytes(12).toString('base64url')}`;
const now = () => Math.floor(Date.now() / 1000);

function tokenPayload(grantId: string, extra: OidcPayload = {}): OidcPayload {
  return {
    iat: now(),
    exp: now() + 60,
    kind: 'AccessToken',
    accountId: 'acc-1',
    clientId: 'client-1',
    grantId,
    scope: 'openid profile',
    claims: { id_token: { acr: { essential: true } } },
    amr: [],
    extra: {},
    ...extra,
  };
}

export function oidcAdapterContract(open: () => Promise<OidcContractHarness>, options: OidcContractOptions = {}): void {
  let h: OidcContractHarness;

  beforeAll(async () => {
    h = await open();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('round-trips a payload (nested objects, empty arrays) and gives the jti back', async () => {
    for (const model of ['AccessToken', 'AuthorizationCode', 'Grant', 'Interaction', 'Session']) {
      const id = rid(model);
      const payload = tokenPayload(rid('grant'), { kind: model, jti: id });
      await h.adapter(model).upsert(id, payload, 60);
      expect(await h.adapter(model).find(id)).toEqual({ ...payload, jti: id });
    }
  });

  it('gives the jti back even when the payload had none', async () => {
    const id = rid('at');
    const { jti: _none, ...payload } = tokenPayload(rid('grant'));
    await h.adapter('AccessToken').upsert(id, payload, 60);
    expect((await h.adapter('AccessToken').find(id))?.jti).toBe(id);
  });

  it('answers undefined for an unknown id, and keeps models apart', async () => {
    expect(await h.adapter('AccessToken').find(rid('unknown'))).toBeUndefined();
    const id = rid('at');
    await h.adapter('AccessToken').upsert(id, tokenPayload(rid('grant')), 60);
    expect(await h.adapter('AuthorizationCode').find(id)).toBeUndefined();
  });

  it('replaces a record on upsert', async () => {
    const id = rid('session');
    await h.adapter('Session').upsert(id, { uid: rid('uid'), accountId: 'a' }, 60);
    await h.adapter('Session').upsert(id, { uid: rid('uid'), accountId: 'b' }, 60);
    expect((await h.adapter('Session').find(id))?.accountId).toBe('b');
  });

  it('forgets a record once it expires', async () => {
    const id = rid('code');
    await h.adapter('AuthorizationCode').upsert(id, tokenPayload(rid('grant')), 1);
    expect(await h.adapter('AuthorizationCode').find(id)).toBeDefined();
    await sleep(1_300);
    expect(await h.adapter('AuthorizationCode').find(id)).toBeUndefined();
    await expect(h.adapter('AuthorizationCode').consume(id)).rejects.toBeInstanceOf(errors.InvalidGrant);
  });

  it('keeps a record without expiresIn', async () => {
    const id = rid('grant');
    // oidc-provider passes no expiresIn for records without expiry (port.ts types it as required).
    await h.adapter('Grant').upsert(id, { accountId: 'a', clientId: 'c' }, undefined as unknown as number);
    expect(await h.adapter('Grant').find(id)).toEqual({ accountId: 'a', clientId: 'c', jti: id });
  });

  it('marks a record consumed (epoch seconds), and a second consume throws invalid_grant', async () => {
    const id = rid('code');
    const adapter = h.adapter('AuthorizationCode');
    await adapter.upsert(id, tokenPayload(rid('grant')), 60);
    expect((await adapter.find(id))?.consumed).toBeUndefined();
    const before = now();
    await adapter.consume(id);
    const consumed = (await adapter.find(id))?.consumed;
    expect(typeof consumed).toBe('number');
    expect(consumed).toBeGreaterThanOrEqual(before - 1);
    expect(consumed).toBeLessThanOrEqual(now() + 1);
    await expect(adapter.consume(id)).rejects.toBeInstanceOf(errors.InvalidGrant);
    await expect(adapter.consume(id)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses to consume an unknown record', async () => {
    await expect(h.adapter('RefreshToken').consume(rid('none'))).rejects.toBeInstanceOf(errors.InvalidGrant);
  });

  it('lets exactly one of five concurrent consumes succeed', async () => {
    for (const model of ['AuthorizationCode', 'RefreshToken']) {
      const id = rid(model);
      await h.adapter(model).upsert(id, tokenPayload(rid('grant'), { kind: model }), 60);
      // A distinct adapter instance per call, as separate requests (or processes) would have.
      const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => h.adapter(model).consume(id)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(errors.InvalidGrant);
      }
    }
  });

  it('revokes what the grant issued when a consumed code is presented again', async () => {
    const grantId = rid('grant');
    const code = rid('code');
    const token = rid('at');
    await h.adapter('AuthorizationCode').upsert(code, tokenPayload(grantId, { kind: 'AuthorizationCode' }), 60);
    await h.adapter('AccessToken').upsert(token, tokenPayload(grantId), 60);
    await h.adapter('AuthorizationCode').consume(code);
    expect(await h.adapter('AccessToken').find(token)).toBeDefined();
    await expect(h.adapter('AuthorizationCode').consume(code)).rejects.toBeInstanceOf(errors.InvalidGrant);
    expect(await h.adapter('AccessToken').find(token)).toBeUndefined();
  });

  it('revokeByGrantId removes every model of that grant and nothing else', async () => {
    const grantId = rid('grant');
    const otherGrant = rid('grant');
    const userCode = rid('UC');
    const models = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'];
    const ids = new Map(models.map((m) => [m, rid(m)]));
    for (const [model, id] of ids) {
      await h.adapter(model).upsert(id, tokenPayload(grantId, { kind: model, ...(model === 'DeviceCode' ? { userCode } : {}) }), 60);
    }
    const survivor = rid('at');
    await h.adapter('AccessToken').upsert(survivor, tokenPayload(otherGrant), 60);
    const session = rid('session');
    await h.adapter('Session').upsert(session, { uid: rid('uid'), accountId: 'a', grantId }, 60);
    expect(await h.adapter('DeviceCode').findByUserCode(userCode)).toBeDefined();

    await h.adapter('RefreshToken').revokeByGrantId(grantId);

    for (const [model, id] of ids) expect(await h.adapter(model).find(id)).toBeUndefined();
    expect(await h.adapter('DeviceCode').findByUserCode(userCode)).toBeUndefined();
    expect(await h.adapter('AccessToken').find(survivor)).toBeDefined();
    expect(await h.adapter('Session').find(session)).toBeDefined();
    await h.adapter('AccessToken').revokeByGrantId(rid('no-such-grant')); // a no-op, not an error
  });

  it('finds a session by uid', async () => {
    const id = rid('session');
    const uid = rid('uid');
    const payload = { uid, accountId: 'acc-1', exp: now() + 60, kind: 'Session', authorizations: { c: { sid: 's', grantId: 'g' } } };
    await h.adapter('Session').upsert(id, payload, 60);
    expect(await h.adapter('Session').findByUid(uid)).toEqual({ ...payload, jti: id });
    expect(await h.adapter('Session').findByUid(rid('uid'))).toBeUndefined();
    await h.adapter('Session').destroy(id);
    expect(await h.adapter('Session').findByUid(uid)).toBeUndefined();
  });

  it('never stores a session again once its uid is marked ended: a request in flight cannot write it back (issue 25)', async () => {
    const sessions = h.adapter('Session') as OidcAdapter & EndedSessionMarks;
    const id = rid('session');
    const uid = rid('uid');
    const payload = { uid, accountId: 'acc-1', exp: now() + 60, kind: 'Session', authorizations: {} };
    await sessions.upsert(id, payload, 60);
    const other = { ...payload, uid: rid('uid') };
    const otherId = rid('session');
    await sessions.upsert(otherId, other, 60);

    await sessions.markSessionEnded(uid, 60);
    // The save at the end of a request that loaded the session before the ending:
    await sessions.upsert(id, { ...payload, authorizations: { c: { sid: 's', grantId: 'g' } } }, 60);
    expect(await sessions.findByUid(uid)).toBeUndefined();
    expect(await sessions.find(id)).toBeUndefined();
    // ...and under a new cookie id (oidc-provider rotates it at a login in the same session):
    const rotated = rid('session');
    await sessions.upsert(rotated, payload, 60);
    expect(await sessions.find(rotated)).toBeUndefined();
    expect(await sessions.findByUid(uid)).toBeUndefined();
    // Marking twice is harmless; other sessions are untouched.
    await sessions.markSessionEnded(uid, 60);
    expect(await sessions.findByUid(other.uid)).toEqual({ ...other, jti: otherId });
    await sessions.upsert(otherId, { ...other, touched: 1 }, 60);
    expect(await sessions.find(otherId)).toEqual({ ...other, touched: 1, jti: otherId });
  });

  it('forgets the mark of an ended session when it lapses', async () => {
    const sessions = h.adapter('Session') as OidcAdapter & EndedSessionMarks;
    const uid = rid('uid');
    await sessions.markSessionEnded(uid, 1);
    await sleep(1_200);
    const id = rid('session');
    await sessions.upsert(id, { uid, accountId: 'acc-1', kind: 'Session' }, 60);
    expect(await sessions.findByUid(uid)).toEqual({ uid, accountId: 'acc-1', kind: 'Session', jti: id });
  });

  // Registered only where interactions live (OIDC_MODEL_ROUTES sends none to Postgres).
  if (options.interactions)
    it('never writes a finished interaction back unfinished: a refused post of the same sign-in page cannot undo the login of the one that passed', async () => {
      const interactions = h.adapter('Interaction');
      const id = rid('interaction');
      const flow = { kapi: { csrf: 'c', completed: [] } };
      const loaded = { kind: 'Interaction', exp: now() + 60, params: { client_id: 'client-1' }, result: flow };
      await interactions.upsert(id, loaded, 60);
      const finished = { ...loaded, result: { ...flow, login: { accountId: 'acc-1', acr: 'substantial' } } };
      await interactions.upsert(id, finished, 60);
      // The other post loaded the interaction before the login was written, and saves its copy after.
      await interactions.upsert(id, { ...loaded, result: { kapi: { csrf: 'c', completed: [], current: { method: 'passkey' } } } }, 60);
      expect(await interactions.find(id)).toEqual({ ...finished, jti: id });
      // What resume writes (still finished) and what a finished result may become (consent) are kept.
      const resumed = { ...finished, session: { accountId: 'acc-1' } };
      await interactions.upsert(id, resumed, 60);
      expect(await interactions.find(id)).toEqual({ ...resumed, jti: id });
      // Unfinished interactions are replaced as before.
      const other = rid('interaction');
      await interactions.upsert(other, loaded, 60);
      await interactions.upsert(other, { ...loaded, result: { kapi: { csrf: 'd', completed: [] } } }, 60);
      expect((await interactions.find(other))?.result).toEqual({ kapi: { csrf: 'd', completed: [] } });
    });

  it('finds a device code by user code', async () => {
    const id = rid('dc');
    const userCode = rid('BCDF');
    const payload = tokenPayload(rid('grant'), { kind: 'DeviceCode', userCode, params: { client_id: 'c' } });
    await h.adapter('DeviceCode').upsert(id, payload, 60);
    expect(await h.adapter('DeviceCode').findByUserCode(userCode)).toEqual({ ...payload, jti: id });
    expect(await h.adapter('DeviceCode').findByUserCode(rid('XXXX'))).toBeUndefined();
    await h.adapter('DeviceCode').consume(id);
    expect((await h.adapter('DeviceCode').findByUserCode(userCode))?.consumed).toEqual(expect.any(Number));
    await h.adapter('DeviceCode').destroy(id);
    expect(await h.adapter('DeviceCode').findByUserCode(userCode)).toBeUndefined();
  });

  it('destroys a record', async () => {
    const id = rid('interaction');
    await h.adapter('Interaction').upsert(id, { uid: id, returnTo: '/auth', kind: 'Interaction' }, 60);
    await h.adapter('Interaction').destroy(id);
    expect(await h.adapter('Interaction').find(id)).toBeUndefined();
    await h.adapter('Interaction').destroy(id); // twice is fine
  });

  it('never stores a raw id (token, code, session, grant) and keeps records under sha256(id)', async () => {
    const grantId = rid('GRANTRAW');
    const ids: Array<[string, string]> = [
      ['AccessToken', rid('ATRAW')],
      ['AuthorizationCode', rid('ACRAW')],
      ['RefreshToken', rid('RTRAW')],
      ['ClientCredentials', rid('CCRAW')],
      ['DeviceCode', rid('DCRAW')],
      ['PushedAuthorizationRequest', rid('PARRAW')],
      ['Session', rid('SESSRAW')],
      ['Interaction', rid('INTRAW')],
    ];
    for (const [model, id] of ids) {
      await h.adapter(model).upsert(id, tokenPayload(grantId, { kind: model, jti: id, uid: rid('uid'), userCode: rid('uc') }), 60);
    }
    await h.adapter('Grant').upsert(grantId, { jti: grantId, accountId: 'a', clientId: 'c', kind: 'Grant' }, 60);
    await h.adapter('AuthorizationCode').consume(ids[1]![1]);

    const dump = await h.dump();
    for (const [, id] of ids) {
      expect(dump).not.toContain(id);
      expect(dump).toContain(sha256(id)); // the dump does cover the records
    }
    // The grant's own record is hashed too (its id still appears inside token payloads as grantId).
    expect(dump).toContain(sha256(grantId));
  });

  if (options.clients) {
    it('stores a client secret sealed, bound to its client id, and opens it on find', async () => {
      const clients = h.clients!;
      const clientId = rid('client');
      const secret = rid('SECRET');
      const metadata = { client_id: clientId, client_secret: secret, redirect_uris: ['https://rp.example/cb'], grant_types: ['authorization_code'] };
      await clients.adapter().upsert(clientId, metadata, 0);

      const raw = await clients.rawMetadata(clientId);
      expect(JSON.stringify(raw)).not.toContain(secret);
      expect(clients.sealer.open(String(raw?.client_secret), clientSecretContext(clientId))).toBe(secret);
      expect(await clients.adapter().find(clientId)).toEqual(metadata);
      expect(await clients.adapter().find(rid('client'))).toBeUndefined();

      // A sealed secret copied to another client does not open there.
      const other = rid('client');
      await clients.writeRawMetadata(other, { ...raw, client_id: other });
      await expect(clients.adapter().find(other)).rejects.toThrow(/not sealed/);

      // A client without a secret (public client) round-trips as is.
      const pub = rid('public');
      await clients.adapter().upsert(pub, { client_id: pub, token_endpoint_auth_method: 'none' }, 0);
      expect(await clients.adapter().find(pub)).toEqual({ client_id: pub, token_endpoint_auth_method: 'none' });

      await clients.adapter().destroy(clientId);
      expect(await clients.adapter().find(clientId)).toBeUndefined();
    });
  }
}
