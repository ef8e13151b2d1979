import { describe, expect, it } from '@jest/globals';
import { FixtureRegistry, fixturePeople } from '../../adapters/population-registry/simulator.js';
import { validateNationalId } from '../../src/identity/national-id.js';

function ageOn(birthdate: string, today: Date): number {
  const [year, month, day] = birthdate.split('-').map(Number) as [number, number, number];
  let age = today.getUTCFullYear() - year;
  if (today.getUTCMonth() + 1 < month || (today.getUTCMonth() + 1 === month && today.getUTCDate() < day)) age--;
  return age;
}

describe('population registry fixtures', () => {
  const people = fixturePeople();

  it('only hold numbers with a valid checksum, each once', () => {
    for (const person of people) expect(validateNationalId(person.nationalId)).toEqual({ ok: true, number: person.nationalId });
    expect(new Set(people.map((p) => p.nationalId)).size).toBe(people.length);
  });

  it('give foreigners 99 numbers and nobody else', () => {
    for (const person of people) expect(person.nationalId.startsWith('99')).toBe(person.type === 'foreigner');
  });

  it('cover the cases the login code must tell apart', () => {
    const today = new Date();
    const adults = people.filter((p) => p.type === 'citizen' && p.alive && ageOn(p.birthdate, today) >= 18);
    expect(adults.map((p) => p.nationalId)).toEqual(expect.arrayContaining(['10000000146', '12345678950', '10090908018']));
    // At least one (the registrar's tables add a 14-year-old who turns 15 in 2027).
    expect(people.filter((p) => p.type === 'citizen' && ageOn(p.birthdate, today) < 15).length).toBeGreaterThanOrEqual(1);
    expect(people.filter((p) => p.type === 'blue_card')).toHaveLength(1);
    expect(people.filter((p) => p.type === 'foreigner')).toHaveLength(2);
    expect(people.filter((p) => !p.alive)).toHaveLength(1);
  });
});

describe('FixtureRegistry', () => {
  const registry = new FixtureRegistry();

  it('finds a person by number, with Turkish letters intact', async () => {
    const person = await registry.lookup('10000000146');
    expect(person).toMatchObject({ type: 'citizen', givenName: 'Ayşe', familyName: 'Yılmaz', birthdate: '1985-04-12', alive: true });
    expect(person?.address).toMatchObject({ locality: 'Çankaya', region: 'Ankara', country: 'TR' });
  });

  it('answers null for a number nobody holds, valid or not', async () => {
    expect(await registry.lookup('11111111110')).toBeNull();
    expect(await registry.lookup('not a number')).toBeNull();
  });

  it('returns copies, so callers cannot change the registry', async () => {
    const first = await registry.lookup('12345678950');
    if (first) first.givenName = 'Changed';
    expect((await registry.lookup('12345678950'))?.givenName).toBe('Mehmet Ali');
  });

  it('can be built from other people', async () => {
    const custom = new FixtureRegistry([
      { nationalId: '10000000146', type: 'blue_card', givenName: 'Test', familyName: 'Kişi', birthdate: '1970-01-01', alive: true },
    ]);
    expect((await custom.lookup('10000000146'))?.type).toBe('blue_card');
    expect(await custom.lookup('12345678950')).toBeNull();
  });
});
