import { z } from 'zod';
import { validateNationalId } from '../../src/identity/national-id.js';

// The shape of a registry record, checked wherever one enters Kapı: the fixtures file at start, and every
// answer of the real registry (adapters/population-registry/https-client.ts). The contract document
// (docs/population-registry.openapi.json) describes the same object; test/unit/registry-contract.test.ts
// keeps the two in step.

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');

export const addressSchema = z.object({
  formatted: z.string().min(1),
  street_address: z.string().optional(),
  locality: z.string().min(1),
  region: z.string().optional(),
  postal_code: z.string().optional(),
  country: z.literal('TR'),
});

export const personSchema = z.object({
  nationalId: z.string().refine((value) => validateNationalId(value).ok, 'not a valid national identity number'),
  type: z.enum(['citizen', 'blue_card', 'foreigner']),
  givenName: z.string().min(1),
  familyName: z.string().min(1),
  birthdate: isoDate,
  documentSerial: z
    .string()
    .regex(/^[A-Z0-9]{6,12}$/)
    .optional(),
  address: addressSchema.optional(),
  alive: z.boolean(),
});
