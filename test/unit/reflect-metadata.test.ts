import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import '../../adapters/pki/reflect-metadata.js';

// Kapı's small Reflect metadata polyfill (adapters/pki/reflect-metadata.ts) is installed first; the real
// reflect-metadata package loads later when a second copy of @peculiar/x509 requires it (the one under
// @simplewebauthn/server, loaded with the passkey module). The real package then keeps the polyfill as
// its fallback provider, which must answer getOwnMetadataKeys, or every decorator throws at load time.

describe('Reflect metadata polyfill', () => {
  it('lets the real reflect-metadata load after it and decorate classes', () => {
    createRequire(import.meta.url)('reflect-metadata');
    const reflect = Reflect as unknown as {
      defineMetadata(k: unknown, v: unknown, t: object): void;
      getMetadata(k: unknown, t: object): unknown;
      getOwnMetadataKeys(t: object): unknown[];
    };
    class Base {}
    class Child extends Base {}
    reflect.defineMetadata('design:paramtypes', [String], Base);
    expect(reflect.getMetadata('design:paramtypes', Child)).toEqual([String]);
    expect(reflect.getOwnMetadataKeys(Base)).toEqual(['design:paramtypes']);
  });
});
