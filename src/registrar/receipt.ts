import { translate, type Locale } from '../i18n/index.js';
import { formatLira } from './fees.js';
import type { CounterRecord, Office } from './repository.js';
import './messages.js';
import './messages-clerk.js';

// The receipt printed at the counter, as plain text (a receipt printer, the CLI, the console's print
// view). It never holds the password: that goes on the sealed envelope, shown once to staff.

export interface ReceiptInput {
  record: CounterRecord;
  office: Office;
  staffName: string;
  person: { nationalId: string; name: string };
}

/** 100******46: enough to match the person, not enough to copy the number from a lost receipt. */
export function maskNationalId(nationalId: string): string {
  return `${nationalId.slice(0, 3)}${'*'.repeat(Math.max(0, nationalId.length - 5))}${nationalId.slice(-2)}`;
}

/** A12***67: the last characters of a document number, for the holder to recognise. */
export function maskDocumentNumber(number: string): string {
  const compact = number.replace(/\s+/g, '');
  if (compact.length <= 4) return '*'.repeat(compact.length);
  return `${compact.slice(0, 2)}${'*'.repeat(compact.length - 4)}${compact.slice(-2)}`;
}

function counterTime(at: Date, locale: Locale): string {
  return `${new Intl.DateTimeFormat(locale === 'tr' ? 'tr-TR' : 'en-GB', { timeZone: 'Europe/Istanbul', dateStyle: 'short', timeStyle: 'short' }).format(at)} (Europe/Istanbul)`;
}

export function renderReceipt(input: ReceiptInput, locale: Locale): string {
  const t = (key: string, params?: Record<string, string | number>) => translate(locale, `registrar.${key}`, params);
  const { record, office } = input;
  // A cancellation has no one "receiving" a password: its labels say whose password went, at whose request.
  const forKind = (key: string) => t(record.kind === 'cancellation' ? `${key}_cancellation` : key);
  const lines: [string, string][] = [
    [t('receipt.number'), record.id],
    [t('receipt.office'), `${office.name} (${office.code})`],
    [t('receipt.staff'), input.staffName],
    [t('receipt.time'), counterTime(record.at, locale)],
    [forKind('receipt.person'), input.person.name],
    [t('receipt.national_id'), maskNationalId(input.person.nationalId)],
    [forKind('receipt.channel'), t(`channel.${record.channel}`)],
  ];
  if (record.documents.length) {
    lines.push([t('receipt.documents'), record.documents.map((d) => `${t(`document.${d.type}`)} (${maskDocumentNumber(d.number)})`).join('; ')]);
  }
  const rep = record.representative;
  if (rep) {
    lines.push([t('receipt.representative'), `${rep.name}, ${maskNationalId(rep.nationalId)}, ${t(`document.${rep.document.type}`)} (${maskDocumentNumber(rep.document.number)})`]);
    lines.push([t('receipt.authority'), `${t(`document.${rep.authorityType}`)} ${rep.authorityNumber}, ${rep.authorityDate}, ${rep.authorityIssuer}`]);
  }
  if (record.kind === 'issuance' && record.feeKurus !== null) lines.push([t('receipt.fee'), formatLira(record.feeKurus, locale)]);

  const width = Math.max(...lines.map(([label]) => label.length));
  const title = t(record.kind === 'issuance' ? 'receipt.issue_title' : 'receipt.cancel_title');
  const rule = '-'.repeat(Math.max(title.length, 40));
  return [title, rule, ...lines.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`), rule, t(record.kind === 'issuance' ? 'receipt.issue_note' : 'receipt.cancel_note'), ''].join('\n');
}
