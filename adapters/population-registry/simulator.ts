import { z } from 'zod';
import { KapiError } from '../../src/errors.js';
import { personSchema } from './person-schema.js';
import type { PopulationRegistry, RegistryPerson } from './port.js';
import fixtures from './fixtures.json' with { type: 'json' };

// Stands in for the population registry in development and tests. The people in fixtures.json cover the
// cases the login and account code must tell apart: adult citizens, a citizen under 15 (cannot get a
// password), a blue card holder without an address in Türkiye, foreigners (99… numbers) and a deceased
// person.

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
