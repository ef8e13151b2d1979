import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import type { ClientInput } from '../../src/clients/client-service.js';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { integrationView } from '../../src/web/integration/integration.js';
import { PROJECT_ROOT } from '../../src/web/render.js';
import { Browser, type Page } from '../support/browser.js';
import { freePort, startKapi, type TestKapi } from '../support/kapi.js';
import { registerInstitution } from '../support/institution.js';

// Issue 23 point 3: the Node example of the integration page works. The example exactly as the page
// shows it for a freshly registered institution (integrationView, the page's own source) is written to a
// file and run as its own Node process, as an integrator would run it, with only the secret (or the
// private key) in its environment. A browser opens the example's /login, signs in on Kapı's pages, and
// the example's callback answers with the person's claims from userinfo and the ID token's acr and amr.

const ayse = DEMO_CITIZENS[0];

describe('the integration page: its Node example signs a person in (issue 23 point 3)', () => {
  let t: TestKapi;
  const dirs: string[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    t = await startKapi();
  });
  afterAll(async () => {
    for (const child of children) child.kill();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await t?.stop();
  });

  /** Registers an institution whose redirect URI is the example's own port, and runs the page's example for it. */
  async function runExample(
    input: Partial<ClientInput>,
    env: (dir: string, metadata: Record<string, unknown>) => Promise<Record<string, string>> | Record<string, string>,
  ): Promise<{ port: number; metadata: Record<string, unknown> }> {
    const port = await freePort();
    const metadata = await registerInstitution(t, {
      redirectUris: [`http://127.0.0.1:${port}/kapi/callback`],
      scopes: ['openid', 'profile', 'national_id'],
      ...input,
    });
    const source = integrationView(metadata, t.issuer, 'en').examples.node;
    expect(source).not.toContain(String(metadata.client_secret ?? 'no secret'));
    const dir = mkdtempSync(path.join(tmpdir(), 'kapi-example-'));
    dirs.push(dir);
    // `npm install openid-client` in the integrator's project: here, Kapı's own node_modules beside the file.
    symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    writeFileSync(path.join(dir, 'sign-in.mjs'), source);
    const child = spawn(process.execPath, [path.join(dir, 'sign-in.mjs')], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...(await env(dir, metadata)) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let errors = '';
    child.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('open http://localhost:') && resolve());
      child.on('exit', (code) => reject(new Error(`the example exited (${code}): ${errors}`)));
    });
    return { port, metadata };
  }

  /** A person's sign-in through the example: /login, Kapı's password form, consent, back to the example. */
  async function signInThrough(port: number): Promise<Page> {
    const browser = new Browser();
    let page = await browser.go(`http://127.0.0.1:${port}/login`);
    expect(page.url.startsWith(t.issuer)).toBe(true);
    expect(page.html).toContain('name="national_id"');
    page = await browser.submit(page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' });
    if (page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' });
    return page;
  }

  const expectAyse = (page: Page) => {
    expect(page.status).toBe(200);
    const claims = JSON.parse(page.html) as Record<string, unknown>;
    expect(claims).toMatchObject({ given_name: 'Ayşe', family_name: 'Yılmaz', national_id: ayse.nationalId, acr: 'low', amr: ['pwd'] });
    expect(typeof claims.sub).toBe('string');
  };

  it('client_secret_basic with ES256 ID tokens: the secret from the environment, the claims from userinfo', async () => {
    const { port } = await runExample({ authMethod: 'client_secret_basic', idTokenAlg: 'ES256' }, (_dir, metadata) => ({
      KAPI_CLIENT_SECRET: String(metadata.client_secret),
    }));
    expectAyse(await signInThrough(port));
  });

  it('private_key_jwt with PAR and DPoP required: the settings the page writes for such an institution', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = 'example-key';
    const { port } = await runExample(
      {
        authMethod: 'private_key_jwt',
        jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] },
        parRequired: true,
        dpopRequired: true,
      },
      async (dir) => {
        writeFileSync(path.join(dir, 'key.pem'), await exportPKCS8(privateKey));
        return { KAPI_PRIVATE_KEY_FILE: path.join(dir, 'key.pem'), KAPI_PRIVATE_KEY_KID: kid };
      },
    );
    expectAyse(await signInThrough(port));
  });

  it('a public client (none): PKCE alone', async () => {
    const { port } = await runExample({ authMethod: 'none' }, () => ({}));
    expectAyse(await signInThrough(port));
  });

  it('refuses a callback that no sign-in of this browser started', async () => {
    const { port } = await runExample({ authMethod: 'none' }, () => ({}));
    const res = await new Browser().request(`http://127.0.0.1:${port}/kapi/callback?code=x&state=y&iss=${encodeURIComponent(t.issuer)}`);
    expect(res.status).toBe(400);
  });
});

describe('the demo developer page, /developers (issue 23 point 3)', () => {
  it("is there with the demo on: the demo institution's integration data and the demo citizens of the seed, never the demo's client secret", async () => {
    const t = await startKapi();
    try {
      const res = await fetch(`${t.issuer}/developers?lang=en`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain(`<code>${t.issuer}/.well-known/openid-configuration</code>`);
      expect(html).toContain(`<code>${t.issuer}/demo/callback</code>`);
      for (const citizen of DEMO_CITIZENS) expect(html).toContain(`<tr data-national-id="${citizen.nationalId}">`);
      expect(html).toContain(`<code>${ayse.password}</code>`);
      const secret = String((await t.kapi.services.clients.metadataWithSecret('demo-institution'))!.client_secret);
      expect(html).not.toContain(secret);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    } finally {
      await t.stop();
    }
  });

  it('is not there without the demo (404)', async () => {
    const t = await startKapi({ env: { KAPI_DEMO: 'false' } });
    try {
      expect((await fetch(`${t.issuer}/developers`)).status).toBe(404);
    } finally {
      await t.stop();
    }
  });
});
