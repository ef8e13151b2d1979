import { describe, expect, it } from '@jest/globals';
import { checkAgainstRegistry, checkPersonDocuments, checkRepresentativeDocument, DOCUMENT_TYPES } from '../../src/registrar/documents.js';
import { ageOn, checkEligibility, counterDate } from '../../src/registrar/eligibility.js';
import { formatLira, officePasswordFee } from '../../src/registrar/fees.js';
import { maskDocumentNumber, maskNationalId } from '../../src/registrar/receipt.js';
import { RegistrarRefusal } from '../../src/registrar/refusal.js';
import type { IdentityType, RegistryRecord } from '../../src/registrar/types.js';
import { FixtureRegistry } from '../../adapters/population-registry/simulator.js';

// The office-issuance rules of the e-Government Gateway FAQ as tables of cases.

function refusalOf(run: () => unknown): string {
  try {
    run();
    return 'accepted';
  } catch (err) {
    if (err instanceof RegistrarRefusal) return err.code;
    throw err;
  }
}

const person = (type: IdentityType, birthdate: string, alive = true): RegistryRecord => ({
  nationalId: '10000000146',
  type,
  givenName: 'A',
  familyName: 'B',
  birthdate,
  alive,
});
const at = (iso: string) => new Date(iso);

describe('eligibility', () => {
  it.each([
    // who, born, counter time (UTC), expected
    ['citizen aged 14', person('citizen', '2012-02-14'), '2026-11-28T09:00:00Z', 'under_15'],
    ['citizen aged 15', person('citizen', '2011-11-20'), '2026-11-28T09:00:00Z', 'accepted'],
    ['citizen, the evening before the 15th birthday (Istanbul 23:59)', person('citizen', '2011-11-20'), '2026-11-19T20:59:00Z', 'under_15'],
    ['citizen, the 15th birthday at midnight Istanbul time', person('citizen', '2011-11-20'), '2026-11-19T21:00:00Z', 'accepted'],
    ['citizen born 29 February, 15 on 1 March of a common year', person('citizen', '2012-02-29'), '2027-03-01T09:00:00Z', 'accepted'],
    ['citizen born 29 February, still 14 on 28 February', person('citizen', '2012-02-29'), '2027-02-28T09:00:00Z', 'under_15'],
    ['adult citizen', person('citizen', '1985-04-12'), '2026-11-28T09:00:00Z', 'accepted'],
    ['deceased citizen', person('citizen', '1931-06-01', false), '2026-11-28T09:00:00Z', 'deceased'],
    ['blue card holder (any age the registry gives)', person('blue_card', '1968-05-09'), '2026-11-28T09:00:00Z', 'accepted'],
    ['foreigner with a foreign identification number', person('foreigner', '1988-12-30'), '2026-11-28T09:00:00Z', 'accepted'],
  ])('%s', (_name, who, now, expected) => {
    expect(refusalOf(() => checkEligibility(who, at(now)))).toBe(expected);
  });

  it.each([
    ['42223334418', 'Ege, 14', 'under_15'],
    ['31112223308', 'Deniz, 15', 'accepted'],
    ['19876543238', 'Elif, 11', 'under_15'],
    ['34567891238', 'Gülşen, blue card', 'accepted'],
    ['99876543292', 'Şirin, foreigner', 'accepted'],
    ['45678912316', 'Hüseyin, deceased', 'deceased'],
  ])('registry fixture %s (%s) on 28 November 2026: %s', async (nationalId, _who, expected) => {
    const record = await new FixtureRegistry().lookup(nationalId);
    expect(refusalOf(() => checkEligibility(record, at('2026-11-28T09:00:00Z')))).toBe(expected);
  });

  it('refuses a number the registry does not know', () => {
    expect(refusalOf(() => checkEligibility(null, new Date()))).toBe('not_in_registry');
  });

  it('counts age in completed years on the Istanbul calendar day', () => {
    expect(counterDate(at('2026-11-19T21:00:00Z'))).toBe('2026-11-20');
    expect(ageOn('2011-11-20', '2026-11-19')).toBe(14);
    expect(ageOn('2011-11-20', '2026-11-20')).toBe(15);
  });
});

const doc = (type: string, number = 'A12B34567') => ({ type, number });

describe('documents accepted per identity type', () => {
  it.each([
    // citizens: any one of the five
    ['citizen', [doc('identity_card')], 'accepted'],
    ['citizen', [doc('tr_identity_card')], 'accepted'],
    ['citizen', [doc('temporary_identity_document')], 'accepted'],
    ['citizen', [doc('passport')], 'accepted'],
    ['citizen', [doc('qualifying_certificate')], 'accepted'],
    ['citizen', [], 'documents_missing'],
    ['citizen', [doc('residence_permit')], 'document_not_accepted'],
    ['citizen', [doc('blue_card')], 'document_not_accepted'],
    ['citizen', [doc('driving_licence')], 'document_unknown'],
    ['citizen', [doc('passport'), doc('passport', 'U1234567')], 'document_duplicate'],
    // blue card holders: the card with a photo ID of the state of nationality ...
    ['blue_card', [doc('blue_card'), doc('nationality_passport')], 'accepted'],
    ['blue_card', [doc('blue_card'), doc('nationality_identity_card')], 'accepted'],
    ['blue_card', [doc('blue_card'), doc('nationality_driving_licence')], 'accepted'],
    ['blue_card', [doc('blue_card')], 'blue_card_needs_photo_id'],
    ['blue_card', [doc('blue_card'), doc('nationality_official_id')], 'blue_card_needs_photo_id'],
    // ... or, without the card, an official identity document of that state
    ['blue_card', [doc('nationality_official_id')], 'accepted'],
    ['blue_card', [doc('nationality_passport')], 'accepted'],
    ['blue_card', [doc('tr_identity_card')], 'document_not_accepted'],
    ['blue_card', [], 'documents_missing'],
    // foreigners: each document of the list, a work permit only with a passport
    ['foreigner', [doc('residence_permit')], 'accepted'],
    ['foreigner', [doc('temporary_protection_id')], 'accepted'],
    ['foreigner', [doc('international_protection_id')], 'accepted'],
    ['foreigner', [doc('stateless_person_id')], 'accepted'],
    ['foreigner', [doc('work_permit'), doc('passport')], 'accepted'],
    ['foreigner', [doc('work_permit')], 'work_permit_needs_passport'],
    ['foreigner', [doc('passport')], 'passport_needs_work_permit'], // said as `check` says it, not "no document"
    ['foreigner', [doc('tr_identity_card')], 'document_not_accepted'],
  ] as const)('%s with %j: %s', (identity, documents, expected) => {
    expect(refusalOf(() => checkPersonDocuments(identity, documents))).toBe(expected);
  });

  it('records the number normalised and refuses a malformed one', () => {
    expect(checkPersonDocuments('citizen', [doc('tr_identity_card', ' a12  b34567 ')])).toEqual([{ type: 'tr_identity_card', number: 'A12 B34567' }]);
    expect(refusalOf(() => checkPersonDocuments('citizen', [doc('tr_identity_card', '<script>')]))).toBe('invalid_request');
  });

  it.each([
    ['citizen', 'tr_identity_card', 'accepted'],
    ['citizen', 'residence_permit', 'representative_document_not_accepted'],
    ['blue_card', 'blue_card', 'accepted'],
    ['foreigner', 'passport', 'accepted'],
    ['foreigner', 'work_permit', 'representative_document_not_accepted'],
    ['citizen', 'library_card', 'document_unknown'],
  ] as const)('a representative who is %s showing %s: %s', (identity, type, expected) => {
    expect(refusalOf(() => checkRepresentativeDocument(identity, doc(type)))).toBe(expected);
  });

  it.each([
    ['citizen', 'K31A22233', [{ type: 'tr_identity_card', number: 'K31A22233' }], 'accepted'],
    ['citizen', 'K31A22233', [{ type: 'tr_identity_card', number: 'K31A22234' }], 'document_mismatch'],
    ['citizen', 'K31A22233', [{ type: 'identity_card', number: 'OLD123456' }], 'document_mismatch'],
    ['citizen', 'K31A22233', [{ type: 'passport', number: 'U1234567' }], 'accepted'], // not in the registry
    ['citizen', undefined, [{ type: 'tr_identity_card', number: 'ANY123' }], 'accepted'], // the registry records none
    [
      'blue_card',
      'M01234567',
      [
        { type: 'blue_card', number: 'M0123 4567' },
        { type: 'nationality_passport', number: 'X1' },
      ],
      'accepted',
    ],
    ['blue_card', 'M01234567', [{ type: 'blue_card', number: 'M99999999' }], 'document_mismatch'],
    ['foreigner', 'Y99887766', [{ type: 'residence_permit', number: 'R1' }], 'accepted'],
  ] as const)('a %s whose registry serial is %s showing %j: %s', (identity, serial, documents, expected) => {
    expect(refusalOf(() => checkAgainstRegistry(identity, serial, documents))).toBe(expected);
  });

  it('knows no document beyond the FAQ lists', () => {
    expect(DOCUMENT_TYPES).toHaveLength(15);
  });
});

describe('fees', () => {
  it.each([
    [0, 500, '5,00 TL'],
    [1, 2000, '20,00 TL'],
    [2, 2000, '20,00 TL'],
    [7, 2000, '20,00 TL'],
  ])('after %i office passwords the next costs %i kuruş (%s)', (earlier, kurus, display) => {
    expect(officePasswordFee(earlier)).toBe(kurus);
    expect(formatLira(kurus, 'tr')).toBe(display);
  });
  it('formats for English too', () => expect(formatLira(2000, 'en')).toBe('20.00 TL'));
});

describe('receipt masking', () => {
  it('keeps enough to recognise, not enough to copy', () => {
    expect(maskNationalId('10000000146')).toBe('100******46');
    expect(maskDocumentNumber('A12B34567')).toBe('A1*****67');
    expect(maskDocumentNumber('A12')).toBe('***');
  });
});
