import { z } from 'zod';
import { KapiError } from '../../src/errors.js';
import { validateNationalId } from '../../src/identity/national-id.js';
import type { PopulationRegistry, RegistryPerson } from './port.js';
import fixtures from './fixtures.json' with { type: 'json' };

// Stands in for the population registry in development and tests. The people in fixtures.json cover the
// cases the login and account code must tell apart: adult citizens, a citizen under 15 (cannot get a
// password), a blue card holder without an address in Türkiye, foreigners (99… numbers) and a deceased
// person.

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');

const personSchema = z.object({
  nationalId: z.string().refine((value) => validateNationalId(value).ok, 'not a valid national identity number'),
  type: z.enum(['citizen', 'blue_card', 'foreigner']),
  givenName: z.string().min(1),
  familyName: z.string().min(1),
  birthdate: isoDate,
  documentSerial: z.string().regex(/^[A-Z0-9]{6,12}$/).optional(),
  address: z
    .object({
      formatted: z.string().min(1),
      street_address: z.string().optional(),
      locality: z.string().min(1),
      region: z.string().optional(),
      postal_code: z.string().optional(),
      country: z.literal('TR'),
    })
    .optional(),
  alive: z.boolean(),
});

const fixtureFileSchema = z.object({ people: z.array(personSchema) });

/** The people of fixtures.json, checked once: a typo in a fixture should fail loudly, not log nobody in. */
export function fixturePeople(): RegistryPerson[] {
  const parsed = fixtureFileSchema.safeParse(fixtures);
  if (!parsed.success) {
    throw new KapiError('config_invalid', `population registry fixtures: ${parsed.error.message}`);
  }
  return parsed.data.people;
}

export class FixtureRegistry implements PopulationRegistry {
  readonly #people: ReadonlyMap<string, RegistryPerson>;

  constructor(people: readonly RegistryPerson[] = fixturePeople()) {
    this.#people = new Map(people.map((person) => [person.nationalId, person]));
  }

  async lookup(nationalId: string): Promise<RegistryPerson | null> {
    const person = this.#people.get(nationalId);
    // A copy, so that a caller editing what it got cannot change who the registry says someone is.
    return person ? structuredClone(person) : null;
  }
}
