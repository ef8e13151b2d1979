/**
 * What "This wasn't me" does for one sign-in of the history, from the methods that entry names
 * (DESIGN.md, third round, '"Not me"'). Every press ends every session and token of the person; on
 * top of that:
 * - a password took part: password login closes (reopened from an e-signature or mobile-signature
 *   session, or by a new password from an office: the security page's own rule);
 * - online banking took part: bank login closes (reopened under "Access restrictions" after a fresh
 *   sign-in with another method);
 * - a card or a mobile signature took part: Kapı cannot close what a certificate provider or a GSM
 *   operator holds, so the person is told whom to call;
 * - a second factor took part: someone also passed it, so the person is told to check her factors;
 * - an existing session answered (single sign-on): the session was opened by an earlier sign-in, which
 *   the person is told to look for.
 */
export type NotMeAdvice = 'certificate_provider' | 'id_card' | 'gsm_operator' | 'second_factors' | 'earlier_sign_in';

export interface NotMePlan {
  /** The method ids of the entry, as recorded. */
  methods: string[];
  closePassword: boolean;
  blockBanking: boolean;
  advice: NotMeAdvice[];
}

const SECOND_FACTORS = new Set(['sms', 'totp', 'device']);

export function notMePlan(method: string): NotMePlan {
  const methods = method.split('+').filter(Boolean);
  const has = (id: string) => methods.includes(id);
  const advice: NotMeAdvice[] = [];
  if (has('e-signature')) advice.push('certificate_provider');
  if (has('id-card')) advice.push('id_card');
  if (has('mobile-signature')) advice.push('gsm_operator');
  if (methods.some((m) => SECOND_FACTORS.has(m))) advice.push('second_factors');
  if (has('session')) advice.push('earlier_sign_in');
  return { methods, closePassword: has('password'), blockBanking: has('banking'), advice };
}
