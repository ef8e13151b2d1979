import type { CredentialsAddedSince } from '../../../../engine/module.js';
import { credentialOf } from '../../../../engine/steps.js';
import type { IntrusionAdvice, MethodTraitBook, MethodTraits } from '../../../../engine/traits.js';

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
 *   the person is told to look for;
 * - a method whose module disowns credentials took part and the entry names the credential it used (a
 *   passkey): that credential is removed, and the module tells the person what to do about it.
 * What closes and whom to contact are each method's traits (`notMe`), declared by its module.
 */
export type NotMeAdvice = IntrusionAdvice | 'earlier_sign_in';

export interface NotMePlan {
  /** The method ids of the entry, as recorded. */
  methods: string[];
  closePassword: boolean;
  blockBanking: boolean;
  advice: NotMeAdvice[];
  /** The credentials the entry names whose module disowns them (`notMe.disowned`): removed on confirmation. */
  disown: { method: string; credential: string }[];
  /**
   * The account's credentials added since the sign-in, of the modules that disown those too
   * (`credentialsAddedSince`), whatever method the sign-in used: removed on confirmation. Read from the
   * database by the page (addedSinceSignIn), empty in the plan of the entry alone.
   */
  disownAdded: { method: string; credential: string }[];
}

/** What the module of `method` says about a disowned credential, if it disowns any. */
export function disownedWords(traits: MethodTraitBook, method: string): NonNullable<NonNullable<MethodTraits['notMe']>['disowned']> | undefined {
  return traits.of(method)?.notMe?.disowned;
}

export function notMePlan(method: string, traits: MethodTraitBook, credentials?: string | null): NotMePlan {
  const methods = method.split('+').filter(Boolean);
  // In module order, each piece of advice once (three second factors are one "check your factors").
  const used = traits.all.filter((t) => methods.includes(t.method));
  const advice: NotMeAdvice[] = [];
  for (const t of used) if (t.notMe?.advice && !advice.includes(t.notMe.advice)) advice.push(t.notMe.advice);
  if (methods.includes('session')) advice.push('earlier_sign_in');
  const closes = (what: 'password_login' | 'bank_login') => used.some((t) => t.notMe?.closes === what);
  const disown = used.flatMap((t) => {
    const credential = t.notMe?.disowned ? credentialOf(credentials, t.method) : undefined;
    return credential ? [{ method: t.method, credential }] : [];
  });
  return { methods, closePassword: closes('password_login'), blockBanking: closes('bank_login'), advice, disown, disownAdded: [] };
}

/** The credentials added since `since` that "This wasn't me" takes away with the sign-in, but for those it already names. */
export async function addedSinceSignIn(
  finders: ReadonlyMap<string, CredentialsAddedSince>,
  db: Parameters<CredentialsAddedSince>[0],
  accountId: string,
  since: Date,
  already: readonly { method: string; credential: string }[],
): Promise<{ method: string; credential: string }[]> {
  const found = await Promise.all([...finders].map(async ([method, find]) => (await find(db, accountId, since)).map((credential) => ({ method, credential }))));
  return found.flat().filter((d) => !already.some((a) => a.method === d.method && a.credential === d.credential));
}
