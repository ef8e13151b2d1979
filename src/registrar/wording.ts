import { translate, type Locale } from '../i18n/index.js';
import {
  CITIZEN_DOCUMENTS,
  FOREIGNER_SINGLE_DOCUMENTS,
  isDocumentType,
  NATIONALITY_OFFICIAL_IDS,
  NATIONALITY_PHOTO_IDS,
  type DocumentType,
} from './documents.js';
import type { RegistrarRefusal } from './refusal.js';
import type { IdentityType } from './types.js';
import { CANCEL_REFUSAL_MESSAGE, DOCUMENT_NAME, IDENTITY_NAME, REFUSAL_MESSAGE } from './messages.js';
import './messages-clerk.js';

// What a clerk reads, in one place for the API and `kapi registrar`: a refusal worded for the operation
// it refused (a cancellation is not "no password can be issued"), document names instead of codes, and
// the documents an identity type needs, stated by `check` and by a refusal in the same words.

/** A document's name in the clerk's language (a type Kapı does not know, as recorded). */
export function documentName(locale: Locale, type: string): string {
  return Object.hasOwn(DOCUMENT_NAME, type) ? translate(locale, DOCUMENT_NAME[type as keyof typeof DOCUMENT_NAME]) : type;
}

function names(locale: Locale, types: readonly DocumentType[]): string {
  return types.map((type) => documentName(locale, type)).join(', ');
}

/** The rule for the person's own documents, as `check` shows it and a document refusal repeats it. */
export function documentRule(identity: IdentityType, locale: Locale): string {
  switch (identity) {
    case 'citizen':
      return translate(locale, 'registrar.rule.citizen', { list: names(locale, CITIZEN_DOCUMENTS) });
    case 'blue_card':
      return translate(locale, 'registrar.rule.blue_card', { photo: names(locale, NATIONALITY_PHOTO_IDS), official: names(locale, NATIONALITY_OFFICIAL_IDS) });
    case 'foreigner':
      return translate(locale, 'registrar.rule.foreigner', {
        list: names(locale, FOREIGNER_SINGLE_DOCUMENTS),
        passport_alone: translate(locale, 'registrar.rule.passport_alone'),
      });
  }
}

function isIdentity(value: unknown): value is IdentityType {
  return value === 'citizen' || value === 'blue_card' || value === 'foreigner';
}

/** The message of a refusal in the clerk's language; `field` may be renamed for the CLI's options. */
export function refusalMessage(locale: Locale, refusal: RegistrarRefusal, fieldName: (field: string) => string = (f) => f): string {
  const params: Record<string, string | number> = { ...refusal.params };
  if (typeof params.type === 'string' && isDocumentType(params.type)) params.type = documentName(locale, params.type);
  if (isIdentity(refusal.params.identity)) {
    params.rule = documentRule(refusal.params.identity, locale);
    params.identity = translate(locale, IDENTITY_NAME[refusal.params.identity]);
  }
  if (typeof params.field === 'string') params.field = fieldName(params.field);
  params.passport_alone = translate(locale, 'registrar.rule.passport_alone');
  if (refusal.messageKey) return translate(locale, refusal.messageKey, params);
  const forCancellation = refusal.operation === 'cancel' ? CANCEL_REFUSAL_MESSAGE[refusal.code] : undefined;
  return translate(locale, forCancellation ?? REFUSAL_MESSAGE[refusal.code], params);
}
