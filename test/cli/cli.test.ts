import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The real `kapi` command, run as a child process on a fresh embedded database (a temporary DATA_DIR),
// the way an operator runs it. Each run starts a process and opens PGlite, so the runs are few and
// the tests build on each other (add, then list, show, update, remove).

jest.setTimeout(60_000);

const KAPI = fileURLToPath(new URL('../../bin/kapi.mjs', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dataDir: string;

function kapi(...args: string[]): Promise<Run> {
  // The embedded database whatever the surrounding environment says (CI sets DATABASE_URL / REDIS_URL).
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KAPI, ...args], { cwd: dataDir, env: { ...env, DATA_DIR: dataDir, KAPI_LOG_LEVEL: 'silent' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function json<T = Record<string, unknown>>(run: Run): T {
  if (run.code !== 0) throw new Error(`kapi exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'kapi-cli-'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('kapi', () => {
  it('prints help for the command and its subcommands', async () => {
    const [top, add] = await Promise.all([kapi('--help'), kapi('clients', 'add', '--help')]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Usage: kapi/);
    expect(top.stdout).toMatch(/clients/);
    expect(top.stdout).toMatch(/keys/);
    expect(top.stdout).toMatch(/migrate/);
    expect(add.code).toBe(0);
    for (const option of [
      '--redirect-uri',
      '--post-logout-uri',
      '--backchannel-logout-uri',
      '--auth',
      '--jwks-uri',
      '--scope',
      '--min-acr',
      '--par-required',
      '--dpop-required',
      '--json',
    ]) {
      expect(add.stdout).toContain(option);
    }
    expect(add.stdout.replace(/\s+/g, ' ')).toContain('(default: RS256; PS256 with --fapi)');
  });

  it('migrates an empty database', async () => {
    const report = json<{ applied: string[]; completed: string[]; pending: string[] }>(await kapi('migrate', '--json'));
    // Every migration the project lists, in order, applied at once on an empty database.
    const { migrationSource } = await import('../../migrations/index.js');
    const names = (await migrationSource.getMigrations([])).map((m) => migrationSource.getMigrationName(m));
    expect(names[0]).toBe('001_initial');
    expect(report.applied).toEqual(names);
    expect(report.completed).toEqual(names);
    expect(report.pending).toEqual([]);
  });

  describe('clients', () => {
    let clientId: string;
    let secret: string;

    it('adds an institution and prints its client_id and secret once', async () => {
      const client = json(
        await kapi('clients', 'add', '--name', 'Tax Office', '--redirect-uri', 'https://tax.example/cb', '--scope', 'openid profile national_id', '--json'),
      );
      expect(client.client_id).toEqual(expect.stringMatching(/^kapi-/));
      expect(client.client_secret).toEqual(expect.any(String));
      expect((client.client_secret as string).length).toBeGreaterThanOrEqual(32);
      expect(client.token_endpoint_auth_method).toBe('client_secret_basic');
      expect(client.redirect_uris).toEqual(['https://tax.example/cb']);
      expect(client.scope).toBe('openid profile national_id');
      clientId = client.client_id as string;
      secret = client.client_secret as string;
    });

    it('lists it with the secret sealed', async () => {
      const list = json<Record<string, unknown>[]>(await kapi('clients', 'list', '--json'));
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ client_id: clientId, client_name: 'Tax Office', client_secret: '[sealed]' });
    });

    it('shows it without the secret', async () => {
      const run = await kapi('clients', 'show', clientId);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(clientId);
      expect(run.stdout).toContain('Tax Office');
      expect(run.stdout).toContain('[sealed]');
      expect(run.stdout).not.toContain(secret);
      expect(run.stdout).toMatch(/id_token_alg:\s+RS256 \(default\)/); // OpenID's registration default
    });

    it('updates only what is given, keeping the secret sealed', async () => {
      const client = json(
        await kapi(
          'clients',
          'update',
          clientId,
          '--redirect-uri',
          'https://tax.example/a',
          '--redirect-uri',
          'https://tax.example/b',
          '--min-acr',
          'high',
          '--json',
        ),
      );
      expect(client.redirect_uris).toEqual(['https://tax.example/a', 'https://tax.example/b']);
      expect(client.min_acr).toBe('high');
      expect(client.client_name).toBe('Tax Office');
      expect(client.scope).toBe('openid profile national_id');
      expect(client.client_secret).toBe('[sealed]');
    });

    it('refuses invalid input with one clear line and exit code 1', async () => {
      const [badUrl, badAcr, noKeys] = await Promise.all([
        kapi('clients', 'add', '--name', 'Bad', '--redirect-uri', 'not a url'),
        kapi('clients', 'add', '--name', 'Bad', '--redirect-uri', 'https://bad.example/cb', '--min-acr', 'medium'),
        kapi('clients', 'add', '--name', 'Bad', '--redirect-uri', 'https://bad.example/cb', '--auth', 'private_key_jwt'),
      ]);
      expect(badUrl.code).toBe(1);
      expect(badUrl.stderr.trim()).toBe('error: --redirect-uri "not a url": Invalid URL');
      expect(badAcr.code).toBe(1);
      expect(badAcr.stderr).toMatch(/--min-acr.*'medium' is invalid.*low, substantial, high/);
      expect(noKeys.code).toBe(1);
      expect(noKeys.stderr).toMatch(/^error: private_key_jwt needs --jwks-uri/);
      for (const run of [badUrl, badAcr, noKeys]) {
        expect(run.stdout).toBe('');
        expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
      }
    });

    it('revokes its tokens (revoke-tokens): a "revoked before" time Kapı\'s own APIs check', async () => {
      const revoked = json(await kapi('clients', 'revoke-tokens', clientId, '--json'));
      expect(revoked).toEqual({ client_id: clientId, grants_revoked: 0 });
      const unknown = await kapi('clients', 'revoke-tokens', 'no-such-client');
      expect(unknown.code).toBe(1);
      expect(unknown.stderr.trim()).toBe('error: no client no-such-client');
    });

    it('removes it; a second removal reports the unknown client', async () => {
      const removed = json(await kapi('clients', 'remove', clientId, '--json'));
      expect(removed).toEqual({ client_id: clientId, removed: true });
      const again = await kapi('clients', 'remove', clientId);
      expect(again.code).toBe(1);
      expect(again.stderr.trim()).toBe(`error: no client ${clientId}`);
    });
  });

  describe("operators (issue 23 points 2 and 4: the console's roles and rules, from the command line)", () => {
    it('grants the first administrator (the account made from the registry), lists and revokes; each on the audit trail', async () => {
      const granted = json(await kapi('operators', 'grant', '12345678950', '--role', 'administrator', '--by', 'kurulum', '--json'));
      expect(granted).toMatchObject({ national_id: '12345678950', role: 'administrator' });
      const bad = await kapi('operators', 'grant', '12345678950', '--role', 'root');
      expect(bad.code).not.toBe(0);
      expect(json<{ national_id: string; role: string; granted_by: string }[]>(await kapi('operators', 'list', '--json'))).toEqual([
        expect.objectContaining({ national_id: '12345678950', role: 'administrator', granted_by: 'cli:kurulum' }),
      ]);
      expect(json(await kapi('operators', 'revoke', '12345678950', '--json'))).toEqual({ national_id: '12345678950', revoked: true });
      expect((await kapi('operators', 'revoke', '12345678950')).code).toBe(1);
    });

    it("suspends and resumes an institution with the console's rules (an unknown one refused)", async () => {
      const added = json(
        await kapi('clients', 'add', '--name', 'Askı Kurumu', '--redirect-uri', 'https://aski.example/cb', '--client-id', 'cli-suspend', '--json'),
      );
      expect(added.client_id).toBe('cli-suspend');
      expect(json(await kapi('clients', 'suspend', 'cli-suspend', '--reason', 'deneme', '--json'))).toEqual({
        client_id: 'cli-suspend',
        suspended: true,
        changed: true,
      });
      expect(json<{ suspended_at: string | null }>(await kapi('clients', 'show', 'cli-suspend', '--json')).suspended_at).toEqual(expect.any(String));
      expect(json(await kapi('clients', 'resume', 'cli-suspend', '--json'))).toEqual({ client_id: 'cli-suspend', suspended: false, changed: true });
      const unknown = await kapi('clients', 'suspend', 'no-such-client');
      expect([unknown.code, unknown.stderr]).toEqual([1, 'error: no client no-such-client\n']);
    });
  });

  describe('keys', () => {
    interface Key {
      kid: string;
      alg: string;
      state: string;
      retire_after: string | null;
    }

    it('rotates: next becomes active, active starts retiring, new next keys are published', async () => {
      const before = json<Key[]>(await kapi('keys', 'list', '--json'));
      const of = (keys: Key[], state: string) =>
        keys
          .filter((k) => k.state === state)
          .map((k) => k.kid)
          .sort();
      expect(of(before, 'active')).toHaveLength(2);
      expect(of(before, 'next')).toHaveLength(2);

      // The next keys were published moments ago: relying parties may not know them yet.
      const early = await kapi('keys', 'rotate', '--json');
      expect(early.code).toBe(1);
      expect(early.stderr).toMatch(/published for less than/);
      const rotation = json<{ activated: string[]; retiring: string[]; retired: string[]; retire_after: string }>(
        await kapi('keys', 'rotate', '--force', '--json'),
      );
      expect([...rotation.activated].sort()).toEqual(of(before, 'next'));
      expect([...rotation.retiring].sort()).toEqual(of(before, 'active'));
      expect(rotation.retired).toEqual([]);
      expect(new Date(rotation.retire_after).getTime()).toBeGreaterThan(Date.now());

      const after = json<Key[]>(await kapi('keys', 'list', '--json'));
      expect(of(after, 'active')).toEqual(of(before, 'next'));
      expect(of(after, 'retiring')).toEqual(of(before, 'active'));
      const next = of(after, 'next');
      expect(next).toHaveLength(2);
      expect(next.filter((kid) => before.some((k) => k.kid === kid))).toEqual([]);
      for (const k of after.filter((x) => x.state === 'retiring')) expect(k.retire_after).toBe(rotation.retire_after);
    });
  });

  it('registers resource servers (APIs) and refuses a bad identifier', async () => {
    const added = json<{ identifier: string; scopes: string[]; tokenFormat: string }>(
      await kapi('resources', 'add', '--identifier', 'https://api.tax.example/', '--name', 'Tax API', '--scope', 'tax:read tax:write', '--json'),
    );
    expect(added).toMatchObject({ identifier: 'https://api.tax.example/', scopes: ['tax:read', 'tax:write'], tokenFormat: 'jwt' });
    const bad = await kapi('resources', 'add', '--identifier', 'not-a-uri', '--name', 'x', '--scope', 'y');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/identifier/);
  });

  it('names the client an API introspects with, and refuses a client that does not exist', async () => {
    const apiClient = json(await kapi('clients', 'add', '--name', 'Land API', '--client-credentials', '--json'));
    // One after the other: the embedded database takes one kapi command at a time.
    const added = await kapi(
      'resources',
      'add',
      '--identifier',
      'https://api.land.example/',
      '--name',
      'Land API',
      '--scope',
      'land:read',
      '--format',
      'opaque',
      '--client-id',
      String(apiClient.client_id),
      '--json',
    );
    const unknown = await kapi(
      'resources',
      'add',
      '--identifier',
      'https://api.typo.example/',
      '--name',
      'Typo',
      '--scope',
      'x',
      '--client-id',
      'kapi-no-such-client',
    );
    expect(json(added)).toMatchObject({ identifier: 'https://api.land.example/', tokenFormat: 'opaque', clientId: apiClient.client_id });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe("error: no client kapi-no-such-client: register the API's client first (kapi clients add)");
  });
});
