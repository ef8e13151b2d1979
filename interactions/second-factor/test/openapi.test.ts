import { describe, expect, it } from '@jest/globals';
import { buildOpenApiDocument } from '../../../src/web/openapi.js';

describe('OpenAPI: the device API', () => {
  it('describes every device API path with resolvable schemas', () => {
    const doc = buildOpenApiDocument('https://kapi.example', {}, ['device.paths.json']) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/device/v1/devices',
        '/device/v1/devices/current',
        '/device/v1/approvals',
        '/device/v1/approvals/{id}/answer',
        '/device/v1/scan',
      ]),
    );
    expect(Object.keys(doc.paths['/device/v1/devices/current']!).sort()).toEqual(['delete', 'get']);
    expect(doc.components.schemas.DeviceRegistration).toBeDefined();
  });
});
