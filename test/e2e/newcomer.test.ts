import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startKapi, type TestKapi } from '../support/kapi.js';

// Small things a newcomer trips over (issue 20 point 9).

describe("a newcomer's first minutes", () => {
  let t: TestKapi;
  beforeAll(async () => {
    t = await startKapi();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('pages have a favicon, and /favicon.ico answers with it (an SVG that may only draw)', async () => {
    const page = await (await fetch(`${t.issuer}/demo`)).text();
    expect(page).toContain('<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">');
    for (const path of ['/static/favicon.svg', '/favicon.ico']) {
      const res = await fetch(`${t.issuer}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/svg+xml');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
      expect(await res.text()).toMatch(/^<svg /);
    }
  });

  it('npm install leaves the lock file as it is: the lock records the install script package.json has', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const hasInstallScript = ['preinstall', 'install', 'postinstall'].some((s) => s in pkg.scripts);
    expect(lock.packages['']?.hasInstallScript ?? false).toBe(hasInstallScript);
  });
});
