import { describe, expect, it } from '@jest/globals';
import { buildOpenApiDocument } from '../../src/web/openapi.js';
import { registrarRequestSchemas } from '../../src/web/registrar-api/schemas.js';

// The OpenAPI document is assembled from docs/openapi/ at start; a broken paths file must stop the
// start, not reach an integrator's code generator.

describe('OpenAPI document', () => {
  it('assembles the base and the registrar paths, with the generated request schemas and the issuer', () => {
    const doc = buildOpenApiDocument('https://kapi.example', registrarRequestSchemas()) as {
      openapi: string;
      servers: { url: string }[];
      components: { securitySchemes: Record<string, { openIdConnectUrl?: string }>; schemas: Record<string, unknown> };
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: 'https://kapi.example' }]);
    expect(doc.components.securitySchemes.kapiOidc!.openIdConnectUrl).toBe('https://kapi.example/.well-known/openid-configuration');
    expect(doc.components.schemas.RegistrarCounterRequest).toMatchObject({ type: 'object', additionalProperties: false, required: ['national_id'] });
    expect(JSON.stringify(doc)).not.toContain('{issuer}');
  });

  it('refuses to build when a generated schema the paths file expects is missing', () => {
    expect(() => buildOpenApiDocument('https://kapi.example', {})).toThrow(/supply schema RegistrarCounterRequest/);
  });

  it('builds from the base alone (an API adds itself with its own paths file)', () => {
    const doc = buildOpenApiDocument('https://kapi.example', {}, []) as { paths: Record<string, unknown> };
    expect(doc.paths).toEqual({});
  });
});
