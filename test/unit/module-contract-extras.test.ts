import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { moduleStaticFiles } from '../../src/web/static.js';

// Two things a method module brings without an edit outside its folder (issue 21 point 1): the static
// files of its pages (a same-origin script, as the CSP asks) and its own environment variables.

describe('method module contract: static files and own settings', () => {
  it("serves a module's static files from its own folder, under /static/<id>/", () => {
    expect(moduleStaticFiles([{ id: 'passkey', staticFiles: ['passkey.js'] }, { id: 'password' }])).toEqual({
      '/static/passkey/passkey.js': { file: 'interactions/passkey/static/passkey.js', type: 'text/javascript; charset=utf-8' },
    });
  });

  it('refuses a static file name that leaves the folder or has no known type', () => {
    expect(() => moduleStaticFiles([{ id: 'x', staticFiles: ['../../src/config.ts'] }])).toThrow(/plain file name/);
    expect(() => moduleStaticFiles([{ id: 'x', staticFiles: ['notes.txt'] }])).toThrow(/known type/);
  });

  it("hands the modules the KAPI_* variables the core does not read, and none of the core's", () => {
    const config = loadConfig({ NODE_ENV: 'test', KAPI_PASSKEYS: 'false', KAPI_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), PATH: '/usr/bin' });
    expect(config.moduleEnvironment).toEqual({ KAPI_PASSKEYS: 'false' });
  });
});
