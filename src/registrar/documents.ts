import type { IdentityType, PresentedDocument } from './types.js';
import { RegistrarRefusal } from './refusal.js';

// The identity documents an office accepts, per identity type, exactly as the FAQ lists them.
//
// Citizens (15+): one of identity card, new T.C. identity card, temporary identity document issued by
// the registry office, passport, qualifying certificate.
// Blue card holders: the blue card AND a photo ID (identity card, passport or driving licence) issued by
// the state of nationality; without the card at hand, any official identity document of that state.
// Foreigners: one of residence permit, temporary protection, international protection applicant/status
// holder, stateless person document (each issued in Türkiye), or a work permit together with a passport.
// A `passport` is the passport the person holds: Turkish for citizens, foreign for foreigners.

export const DOCUMENT_TYPES = [
  // citizens
  'identity_card',
  'tr_identity_card',
  'temporary_identity_document',
  'passport',
  'qualifying_certificate',
  // blue card holders
  'blue_card',
  'nationality_identity_card',
  'nationality_passport',
  'nationality_driving_licence',
  'nationality_official_id',
  // foreigners
  'residence_permit',
  'temporary_protection_id',
  'international_protection_id',
  'stateless_person_id',
  'work_permit',
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export function isDocumentType(value: string): value is DocumentType {
  return (DOCUMENT_TYPES as readonly string[]).includes(value);
}

export const CITIZEN_DOCUMENTS: readonly DocumentType[] = [
  'identity_card',
  'tr_identity_card',
  'temporary_identity_document',
  'passport',
  'qualifying_certificate',
];
/** Photo IDs of the state of nationality, shown beside the blue card. */
export const NATIONALITY_PHOTO_IDS: readonly DocumentType[] = ['nationality_identity_card', 'nationality_passport', 'nationality_driving_licence'];
/** Without the card: any official identity document of the state of nationality. */
export const NATIONALITY_OFFICIAL_IDS: readonly DocumentType[] = [...NATIONALITY_PHOTO_IDS, 'nationality_official_id'];
export const FOREIGNER_SINGLE_DOCUMENTS: readonly DocumentType[] = [
  'residence_permit',
  'temporary_protection_id',
  'international_protection_id',
  'stateless_person_id',
];

/** Every document type an office may record for a person of this identity type. */
export const DOCUMENTS_BY_IDENTITY: Record<IdentityType, readonly DocumentType[]> = {
  citizen: CITIZEN_DOCUMENTS,
  blue_card: ['blue_card', ...NATIONALITY_OFFICIAL_IDS],
  foreigner: [...FOREIGNER_SINGLE_DOCUMENTS, 'work_permit', 'passport'],
};

/**
 * The single identity document a proxy or guardian shows for themselves ("one of the valid
 * identification documents"): one that proves who they are on its own. A work permit alone does not.
 */
export const REPRESENTATIVE_DOCUMENTS: Record<IdentityType, readonly DocumentType[]> = {
  citizen: CITIZEN_DOCUMENTS,
  blue_card: ['blue_card', ...NATIONALITY_OFFICIAL_IDS],
  foreigner: [...FOREIGNER_SINGLE_DOCUMENTS, 'passport'],
};

const DOCUMENT_NUMBER = /^[A-Z0-9][A-Z0-9 /.-]{1,31}$/;

/** The number as recorded: trimmed, upper case, inner spacing collapsed. Undefined when malformed. */
export function normalizeDocumentNumber(raw: string): string | undefined {
  const value = raw.trim().replace(/\s+/g, ' ').toUpperCase();
  return DOCUMENT_NUMBER.test(value) ? value : undefined;
}

function normalized(documents: readonly PresentedDocument[]): { type: DocumentType; number: string }[] {
  const seen = new Set<string>();
  return documents.map((d) => {
    if (!isDocumentType(d.type)) throw new RegistrarRefusal('document_unknown', { type: String(d.type).slice(0, 40) });
    const number = normalizeDocumentNumber(d.number);
    if (!number) throw new RegistrarRefusal('invalid_request', { field: `documents.${d.type}.number` }, 'malformed document number');
    if (seen.has(d.type)) throw new RegistrarRefusal('document_duplicate', { type: d.type });
    seen.add(d.type);
    return { type: d.type, number };
  });
}

/**
 * Checks the person's own documents against the FAQ's list for their identity type and returns them as
 * recorded. Throws a RegistrarRefusal naming what is missing or not accepted.
 */
export function checkPersonDocuments(identity: IdentityType, documents: readonly PresentedDocument[]): { type: DocumentType; number: string }[] {
  const docs = normalized(documents);
  // `identity` lets the message state the rule for this identity type, worded as `check` states it.
  if (!docs.length) throw new RegistrarRefusal('documents_missing', { identity });
  for (const d of docs) {
    if (!DOCUMENTS_BY_IDENTITY[identity].includes(d.type)) throw new RegistrarRefusal('document_not_accepted', { type: d.type, identity });
  }
  const types = new Set(docs.map((d) => d.type));
  const hasAny = (list: readonly DocumentType[]) => list.some((t) => types.has(t));

  switch (identity) {
    case 'citizen':
      return docs; // every type on the list is enough on its own
    case 'blue_card':
      if (types.has('blue_card')) {
        // With the card: a photo ID of the state of nationality as well.
        if (!hasAny(NATIONALITY_PHOTO_IDS)) throw new RegistrarRefusal('blue_card_needs_photo_id', { identity });
        return docs;
      }
      // Without the card: any official identity document of the state of nationality.
      if (!hasAny(NATIONALITY_OFFICIAL_IDS)) throw new RegistrarRefusal('documents_missing', { identity });
      return docs;
    case 'foreigner':
      if (hasAny(FOREIGNER_SINGLE_DOCUMENTS)) return docs;
      if (types.has('work_permit') && !types.has('passport')) throw new RegistrarRefusal('work_permit_needs_passport', { identity });
      if (types.has('work_permit') && types.has('passport')) return docs;
      // A foreigner's passport counts only beside a work permit: say so, not "no document".
      if (types.has('passport')) throw new RegistrarRefusal('passport_needs_work_permit', { identity });
      throw new RegistrarRefusal('documents_missing', { identity });
  }
}

/** The representative's own identity document: one that proves who they are on its own. */
export function checkRepresentativeDocument(identity: IdentityType, document: PresentedDocument): { type: DocumentType; number: string } {
  const [doc] = normalized([document]);
  if (!doc || !REPRESENTATIVE_DOCUMENTS[identity].includes(doc.type)) {
    throw new RegistrarRefusal('representative_document_not_accepted', { type: doc?.type ?? String(document.type), identity });
  }
  return doc;
}

/** Documents whose serial the population registry records (the current ID card or blue card). */
const REGISTRY_RECORDED: Record<IdentityType, readonly DocumentType[]> = {
  citizen: ['identity_card', 'tr_identity_card'],
  blue_card: ['blue_card'],
  foreigner: [],
};

/**
 * A presented ID card or blue card must be the one the registry records as current: a lost, stolen or
 * replaced card (or a forged number) does not get a password. Other documents are not in the registry.
 */
export function checkAgainstRegistry(
  identity: IdentityType,
  registrySerial: string | undefined,
  documents: readonly { type: DocumentType; number: string }[],
  code: 'document_mismatch' | 'representative_document_mismatch' = 'document_mismatch',
): void {
  if (!registrySerial) return;
  for (const d of documents) {
    if (REGISTRY_RECORDED[identity].includes(d.type) && d.number.replace(/[\s/.-]/g, '') !== registrySerial) throw new RegistrarRefusal(code, { type: d.type });
  }
}
