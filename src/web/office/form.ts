import type { z } from 'zod';
import { REPRESENTATIVE_DOCUMENTS } from '../../registrar/documents.js';
import type { RegistrarRefusal } from '../../registrar/refusal.js';
import type { CounterRequest } from '../../registrar/types.js';
import { invalidRequest } from '../registrar-api/invalid.js';
import { counterRequestSchema, issuanceRequestSchema, toCounterRequest } from '../registrar-api/schemas.js';

// A console form read as the registrar API reads its JSON: the fields become the API's body and go
// through the API's own schemas (strict, the checksum of every identity number) and its refusals, so
// the console has no rules of its own. What comes back is the field of the form to point at.

/** Rows of the person's own documents on the form (a blue card and a photo ID, a work permit and a passport). */
export const DOCUMENT_ROWS = 2;

/** Every document a proxy or guardian may show for themselves, whatever their identity type. */
export const REPRESENTATIVE_DOCUMENT_CHOICES = [...new Set(Object.values(REPRESENTATIVE_DOCUMENTS).flat())];

const REP_FIELDS = [
  'rep_national_id',
  'rep_doc_type',
  'rep_doc_number',
  'rep_authority_number',
  'rep_authority_date',
  'rep_authority_issuer',
  'rep_authorises',
] as const;

export interface ParsedForm {
  request: CounterRequest;
  /** The form's row of each document sent, by its place in the request. */
  rows: number[];
}

function trimmed(input: Record<string, string>, name: string): string {
  return (input[name] ?? '').trim();
}

/** The API body the form stands for, and which form row each document came from. */
function bodyOf(input: Record<string, string>, operation: 'issue' | 'cancel'): { body: Record<string, unknown>; rows: number[] } {
  const documents: { type: string; number: string }[] = [];
  const rows: number[] = [];
  for (let row = 0; row < DOCUMENT_ROWS; row++) {
    const type = trimmed(input, `doc${row}_type`);
    const number = trimmed(input, `doc${row}_number`);
    if (!type && !number) continue;
    documents.push({ type, number });
    rows.push(row);
  }
  const channel = trimmed(input, 'channel') || 'self';
  const body: Record<string, unknown> = { national_id: trimmed(input, 'national_id'), channel, documents };
  // In person the representative's fields are left out when empty; filled in, they go to the service,
  // which refuses them (representative_unexpected) rather than let a mistake pass silently.
  if (channel !== 'self' || REP_FIELDS.some((f) => trimmed(input, f))) {
    body.representative = {
      national_id: trimmed(input, 'rep_national_id'),
      document: { type: trimmed(input, 'rep_doc_type'), number: trimmed(input, 'rep_doc_number') },
      authority: {
        number: trimmed(input, 'rep_authority_number'),
        date: trimmed(input, 'rep_authority_date'),
        issuer: trimmed(input, 'rep_authority_issuer'),
        ...(input.rep_authorises === 'yes' ? { authorises_password_receipt: true } : {}),
      },
    };
  }
  if (operation === 'issue' && input.remove_second_factors === 'yes') body.remove_second_factors = true;
  return { body, rows };
}

/** The request a console form stands for, or the API's refusal of it (with the API's field path). */
export function parseCounterForm(input: Record<string, string>, operation: 'issue' | 'cancel'): ParsedForm {
  const { body, rows } = bodyOf(input, operation);
  const schema: z.ZodType = operation === 'issue' ? issuanceRequestSchema : counterRequestSchema;
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw withRows(invalidRequest(parsed.error, body), rows);
  return { request: toCounterRequest(parsed.data as Parameters<typeof toCounterRequest>[0]), rows };
}

/** Document paths name the request's place; the form's row is what the clerk sees. */
function withRows(refusal: RegistrarRefusal, rows: number[]): RegistrarRefusal {
  const field = refusal.params.field;
  if (typeof field === 'string') {
    const m = /^documents\.(\d+)(\..*)?$/.exec(field);
    if (m) refusal.params.formField = `doc${rows[Number(m[1])] ?? 0}_${m[2] === '.number' ? 'number' : 'type'}`;
  }
  return refusal;
}

const FIELD_OF_PATH: Record<string, string> = {
  channel: 'channel-self',
  documents: 'doc0_type',
  representative: 'rep_national_id',
  'representative.national_id': 'rep_national_id',
  'representative.document': 'rep_doc_type',
  'representative.document.type': 'rep_doc_type',
  'representative.document.number': 'rep_doc_number',
  'representative.authority': 'rep_authority_number',
  'representative.authority.number': 'rep_authority_number',
  'representative.authority.date': 'rep_authority_date',
  'representative.authority.issuer': 'rep_authority_issuer',
  'representative.authority.authorises_password_receipt': 'rep_authorises',
  remove_second_factors: 'remove_second_factors',
};

const FIELD_OF_CODE: Partial<Record<RegistrarRefusal['code'], string>> = {
  documents_missing: 'doc0_type',
  document_not_accepted: 'doc0_type',
  document_duplicate: 'doc1_type',
  blue_card_needs_photo_id: 'doc1_type',
  work_permit_needs_passport: 'doc1_type',
  passport_needs_work_permit: 'doc1_type',
  document_mismatch: 'doc0_number',
  representative_missing: 'rep_national_id',
  representative_unexpected: 'rep_national_id',
  representative_is_person: 'rep_national_id',
  representative_not_in_registry: 'rep_national_id',
  representative_deceased: 'rep_national_id',
  representative_minor: 'rep_national_id',
  staff_is_representative: 'rep_national_id',
  representative_document_not_accepted: 'rep_doc_type',
  representative_document_mismatch: 'rep_doc_number',
  proxy_not_authorised: 'rep_authorises',
  authority_date_invalid: 'rep_authority_date',
  second_factors_by_proxy: 'remove_second_factors',
};

/** The form field a refusal is about, when the clerk can correct it there. */
export function formFieldOf(refusal: RegistrarRefusal, rows: number[] = []): string | undefined {
  if (typeof refusal.params.formField === 'string') return refusal.params.formField;
  const field = refusal.params.field;
  if (typeof field === 'string') {
    if (FIELD_OF_PATH[field]) return FIELD_OF_PATH[field];
    // The service names a malformed document number by its type (documents.<type>.number).
    const byType = /^documents\.([a-z_]+)\.number$/.exec(field);
    if (byType) return 'doc0_number';
  }
  const byCode = FIELD_OF_CODE[refusal.code];
  if (byCode && /^doc\d_/.test(byCode) && rows.length) return byCode.replace(/^doc\d/, `doc${byCode.startsWith('doc1') ? (rows[1] ?? rows[0]) : rows[0]}`);
  return byCode;
}
