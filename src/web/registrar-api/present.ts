import type { Locale } from '../../i18n/index.js';
import { formatLira } from '../../registrar/fees.js';
import type { CounterRecord } from '../../registrar/repository.js';
import type { PersonCheck } from '../../registrar/service.js';
import { documentRule, refusalMessage } from '../../registrar/wording.js';

// JSON shapes of the registrar API (snake_case, as OAuth and OIDC documents are). Described in
// docs/openapi/registrar.paths.json.

export function fee(kurus: number, locale: Locale) {
  return { amount_kurus: kurus, currency: 'TRY', display: formatLira(kurus, locale) };
}

export function recordJson(r: CounterRecord & { nationalId?: string; staffName?: string }, locale: Locale) {
  const rep = r.representative;
  return {
    id: r.id,
    kind: r.kind,
    ...(r.nationalId !== undefined ? { national_id: r.nationalId } : {}),
    office: r.officeCode,
    staff_account_id: r.staffAccountId,
    ...(r.staffName !== undefined ? { staff_name: r.staffName } : {}),
    via: r.staffVia,
    channel: r.channel,
    documents: r.documents,
    representative: rep
      ? {
          national_id: rep.nationalId,
          name: rep.name,
          document: rep.document,
          authority: { type: rep.authorityType, number: rep.authorityNumber, date: rep.authorityDate, issuer: rep.authorityIssuer },
        }
      : null,
    ...(r.kind === 'issuance' && r.feeKurus !== null ? { fee: fee(r.feeKurus, locale) } : {}),
    ...(r.kind === 'cancellation' ? { sessions_ended: r.sessionsEnded ?? 0 } : {}),
    at: r.at.toISOString(),
  };
}

export function checkJson(c: PersonCheck, locale: Locale) {
  return {
    national_id: c.nationalId,
    identity_type: c.identityType,
    name: c.name,
    eligible: c.eligible,
    ...(c.refusal ? { refusal: { error: c.refusal.code, message: refusalMessage(locale, c.refusal) } } : {}),
    accepted_documents: c.acceptedDocuments,
    // The same words a document refusal of an issuance uses (the passport rule included).
    document_rule: documentRule(c.identityType, locale),
    has_password: c.hasPassword,
    next_fee: fee(c.nextFeeKurus, locale),
  };
}
