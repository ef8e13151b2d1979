// Fees at the counter (FAQ, "Is there a password fee?"): 5 TL for a person's first password from an
// office, 20 TL for each later one, whatever the reason (lost, forgotten, stolen, cancelled). Amounts
// are in kuruş so no fee is ever a floating-point number. Cancelling costs nothing.

export const FIRST_OFFICE_PASSWORD_FEE_KURUS = 500;
export const LATER_OFFICE_PASSWORD_FEE_KURUS = 2000;

/** The fee for the next office password of a person who has had `earlierIssuances` of them. */
export function officePasswordFee(earlierIssuances: number): number {
  return earlierIssuances === 0 ? FIRST_OFFICE_PASSWORD_FEE_KURUS : LATER_OFFICE_PASSWORD_FEE_KURUS;
}

/** "5,00 TL" / "5.00 TL" */
export function formatLira(kurus: number, locale: 'tr' | 'en'): string {
  const lira = (kurus / 100).toFixed(2);
  return `${locale === 'tr' ? lira.replace('.', ',') : lira} TL`;
}
