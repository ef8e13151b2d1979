import type { RegistryRecord } from './types.js';
import { RegistrarRefusal } from './refusal.js';

// Who can get a password at an office (FAQ, "Who Can Get Password?"): citizens aged 15 or more, blue
// card holders, and foreigners with a foreign identification number. The registry decides the identity
// type; the number's shape never does (a blue card holder keeps a citizen-shaped number).

export const MINIMUM_CITIZEN_AGE = 15;
/** Proxies and guardians act on a written authority: only adults can (Turkish Civil Code, art. 11). */
export const MINIMUM_REPRESENTATIVE_AGE = 18;

/** Today's date at the counter: offices are in Türkiye, so a birthday starts at midnight Istanbul time. */
export function counterDate(now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Istanbul', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** Completed years between a YYYY-MM-DD birth date and a YYYY-MM-DD day. A 29 February birthday
 *  completes a year on 1 March in common years. */
export function ageOn(birthdate: string, day: string): number {
  const [by, bm, bd] = birthdate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  let age = y - by;
  if (m < bm || (m === bm && d < bd)) age--;
  return age;
}

/** The registry record of someone who may receive a password, or a refusal with the reason. */
export function checkEligibility(person: RegistryRecord | null, now: Date): RegistryRecord {
  if (!person) throw new RegistrarRefusal('not_in_registry');
  if (!person.alive) throw new RegistrarRefusal('deceased');
  if (person.type === 'citizen') {
    const age = ageOn(person.birthdate, counterDate(now));
    if (age < MINIMUM_CITIZEN_AGE) throw new RegistrarRefusal('under_15', { age });
  }
  // Blue card holders and foreigners with a foreign identification number are eligible as such.
  return person;
}

/** A proxy or guardian: a living adult the registry knows, other than the person. */
export function checkRepresentative(person: RegistryRecord | null, principalNationalId: string, now: Date): RegistryRecord {
  if (!person) throw new RegistrarRefusal('representative_not_in_registry');
  if (person.nationalId === principalNationalId) throw new RegistrarRefusal('representative_is_person');
  if (!person.alive) throw new RegistrarRefusal('representative_deceased');
  if (ageOn(person.birthdate, counterDate(now)) < MINIMUM_REPRESENTATIVE_AGE) throw new RegistrarRefusal('representative_minor');
  return person;
}
