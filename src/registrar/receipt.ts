import { translate, type Locale, type MessageKey } from '../i18n/index.js';
import { formatLira } from './fees.js';
import type { CounterRecord, Office } from './repository.js';
import { CHANNEL_NAME } from './messages.js';
import { documentName } from './wording.js';
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

/**
 * The words that differ by what was done. A cancellation has no one "receiving" a password: its labels
 * say whose password went, at whose request.
 */
const KIND_TEXT = {
  issuance: {
    title: 'registrar.receipt.issue_title',
    person: 'registrar.receipt.person',
    channel: 'registrar.receipt.channel',
    note: 'registrar.receipt.issue_note',
  },
  cancellation: {
    title: 'registrar.receipt.cancel_title',
    person: 'registrar.receipt.person_cancellation',
    channel: 'registrar.receipt.channel_cancellation',
    note: 'registrar.receipt.cancel_note',
  },
} as const satisfies Record<CounterRecord['kind'], Record<'title' | 'person' | 'channel' | 'note', MessageKey>>;

export function renderReceipt(input: ReceiptInput, locale: Locale): string {
  const t = (key: MessageKey) => translate(locale, key);
  const { record, office } = input;
  const words = KIND_TEXT[record.kind];
  const lines: [string, string][] = [
    [t('registrar.receipt.number'), record.id],
    [t('registrar.receipt.office'), `${office.name} (${office.code})`],
    [t('registrar.receipt.staff'), input.staffName],
    [t('registrar.receipt.time'), counterTime(record.at, locale)],
    [t(words.person), input.person.name],
    [t('registrar.receipt.national_id'), maskNationalId(input.person.nationalId)],
    [t(words.channel), t(CHANNEL_NAME[record.channel])],
  ];
  if (record.documents.length) {
    lines.push([t('registrar.receipt.documents'), record.documents.map((d) => `${documentName(locale, d.type)} (${maskDocumentNumber(d.number)})`).join('; ')]);
  }
  const rep = record.representative;
  if (rep) {
    lines.push([
      t('registrar.receipt.representative'),
      `${rep.name}, ${maskNationalId(rep.nationalId)}, ${documentName(locale, rep.document.type)} (${maskDocumentNumber(rep.document.number)})`,
    ]);
    lines.push([
      t('registrar.receipt.authority'),
      `${documentName(locale, rep.authorityType)} ${rep.authorityNumber}, ${rep.authorityDate}, ${rep.authorityIssuer}`,
    ]);
  }
  if (record.kind === 'issuance' && record.feeKurus !== null) lines.push([t('registrar.receipt.fee'), formatLira(record.feeKurus, locale)]);

  const width = Math.max(...lines.map(([label]) => label.length));
  const title = t(words.title);
  const rule = '-'.repeat(Math.max(title.length, 40));
  return [title, rule, ...lines.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`), rule, t(words.note), ''].join('\n');
}
