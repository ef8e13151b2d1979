import type { Locale } from '../../../../i18n/index.js';

/**
 * Dates on the account pages: Turkish time (the service's own zone, as the overview shows it), in
 * the person's language. The machine-readable value goes into <time datetime>.
 */
export function dateText(date: Date, locale: Locale): string {
  return date.toLocaleString(locale === 'tr' ? 'tr-TR' : 'en-GB', { timeZone: 'Europe/Istanbul', dateStyle: 'medium', timeStyle: 'medium' });
}
