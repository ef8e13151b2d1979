import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import { LOOKUP_PATH } from '../../adapters/population-registry/https-client.js';
import { addressSchema, personSchema } from '../../adapters/population-registry/person-schema.js';
import { fixturePeople } from '../../adapters/population-registry/simulator.js';

// The registry's contract is written down (docs/population-registry.openapi.json) and Kapı checks every
// answer with its own schema (person-schema.ts). These keep the two saying the same thing: a field the
// document adds or drops, or a required field that becomes optional, fails here.

interface JsonSchema {
  type?: string;
  required?: string[];
  properties?: Record<string, JsonSchema & { enum?: string[] }>;
}

const doc = JSON.parse(readFileSync(new URL('../../docs/population-registry.openapi.json', import.meta.url), 'utf8')) as {
  openapi: string;
  security: unknown[];
  paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: JsonSchema }> }; responses: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, { type: string }>; schemas: Record<string, JsonSchema> };
};

function shape(schema: z.ZodObject) {
  const keys = Object.keys(schema.shape).sort();
  const required = keys.filter((k) => !(schema.shape[k] as z.ZodType).safeParse(undefined).success).sort();
  return { keys, required };
}

describe('the population registry contract (issue 22 point 4)', () => {
  it('is OpenAPI 3.1 over mutual TLS, with the one operation the client calls', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.security).toEqual([{ mutualTLS: [] }]);
    expect(doc.components.securitySchemes.mutualTLS?.type).toBe('mutualTLS');
    expect(Object.keys(doc.paths)).toEqual([LOOKUP_PATH]);
    const lookup = doc.paths[LOOKUP_PATH]!.post!;
    expect(lookup.requestBody.content['application/json']!.schema.required).toEqual(['nationalId']);
    expect(Object.keys(lookup.responses).sort()).toEqual(['200', '400', '404', '503']);
  });

  it('describes the record Kapı accepts: the same fields, the same required ones, the same identity types', () => {
    const person = doc.components.schemas.Person!;
    expect({ keys: Object.keys(person.properties!).sort(), required: [...person.required!].sort() }).toEqual(shape(personSchema));
    const address = doc.components.schemas.Address!;
    expect({ keys: Object.keys(address.properties!).sort(), required: [...address.required!].sort() }).toEqual(shape(addressSchema));
    expect(person.properties!.type!.enum).toEqual(personSchema.shape.type.options);
  });

  it("the simulator's people follow it", () => {
    for (const p of fixturePeople()) {
      expect(personSchema.safeParse(p).success).toBe(true);
      expect(p.nationalId).toMatch(new RegExp((doc.components.schemas.Person!.properties!.nationalId as { pattern: string }).pattern));
    }
  });
});
