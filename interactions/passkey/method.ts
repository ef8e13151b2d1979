import { generateAuthenticationOptions, verifyAuthenticationResponse } from '@simplewebauthn/server';
import type { Account } from '../../src/accounts/account.js';
import type { Method, MethodContext, Step } from '../../src/engine/types.js';
import { log } from '../../src/log.js';
import { CEREMONY_SECONDS, amrOf, assertionFrom, claimedChallenge, type Challenges, type RelyingParty } from './ceremony.js';
import type { PasskeyStore } from './credentials.js';
import './messages.js';
import type { MessageKey } from '../../src/i18n/index.js';

const VIEW = '/interactions/passkey/views/sign-in';
export const PASSKEY_SCRIPT = '/static/passkey/passkey.js';

export interface PasskeyMethodDeps {
  rp: RelyingParty;
  store: PasskeyStore;
  challenges: Challenges;
  accounts: { findById(id: string): Promise<Account | undefined> };
  audit: { signIn(record: { accountId?: string; clientId?: string; method: string; result: string; ip?: string; userAgent?: string }): Promise<void> };
}

/**
 * Sign-in with a passkey (issue 21 point 5): a discoverable credential, so the person types nothing and
 * picks her passkey in the browser; the user handle names the account. A first stage at `substantial`
 * (NIST SP 800-63B-4: a user-verifying passkey is an AAL2 authenticator); with two-factor on the
 * policies ask for a second stage after it, as after every first stage.
 */
export function passkeyMethod(deps: PasskeyMethodDeps): Method {
  const { rp, store, challenges } = deps;
  // The challenge is bound to this interaction: its flow's anti-CSRF token, random per interaction.
  const binding = (ctx: MethodContext) => `login:${ctx.flow.csrf}`;

  async function prompt(ctx: MethodContext, error?: { code: MessageKey; status: number }): Promise<Step> {
    // A step-up proves the person already known: her own passkeys only. Otherwise any of this site's.
    const own = ctx.flow.accountId ? await store.list(ctx.flow.accountId) : [];
    const options = await generateAuthenticationOptions({
      rpID: rp.id,
      userVerification: 'required',
      timeout: CEREMONY_SECONDS * 1000,
      // Given as bytes: the library would encode a string once more.
      challenge: Buffer.from(await challenges.issue('login', binding(ctx)), 'base64url'),
      allowCredentials: own.map((p) => ({ id: p.credentialId, transports: p.transports as never })),
    });
    return {
      kind: 'prompt',
      view: VIEW,
      data: { options: JSON.stringify(options), script: PASSKEY_SCRIPT },
      ...(error ? { error: { code: error.code }, status: error.status } : {}),
    };
  }

  async function refused(ctx: MethodContext, result: string, code: MessageKey, accountId?: string): Promise<Step> {
    await deps.audit.signIn({
      ...(accountId ? { accountId } : {}),
      clientId: ctx.client.clientId,
      method: 'passkey',
      result,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    return prompt(ctx, { code, status: 400 });
  }

  async function verify(ctx: MethodContext, input: Record<string, string>): Promise<Step> {
    // The browser could not or would not (cancelled, timed out, no passkey for this site): say so, nothing was tried.
    if (input.error) return prompt(ctx, { code: 'passkey.not_allowed', status: 400 });
    const response = assertionFrom(input.response);
    if (!response) return prompt(ctx, { code: 'passkey.not_allowed', status: 400 });
    // Single use, whatever follows: a response is never verified twice, nor in another interaction.
    const challenge = claimedChallenge(response);
    if (!(await challenges.redeem('login', challenge, binding(ctx)))) return refused(ctx, 'passkey_challenge', 'passkey.expired');
    const passkey = await store.findByCredentialId(response.id);
    if (!passkey) return refused(ctx, 'passkey_unknown', 'passkey.unknown');
    // The user handle the authenticator keeps must be the one stored with this credential.
    if (response.response.userHandle !== passkey.userHandle) return refused(ctx, 'passkey_refused', 'passkey.refused', passkey.accountId);
    let verified;
    try {
      verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        expectedType: 'webauthn.get',
        credential: {
          id: passkey.credentialId,
          publicKey: Buffer.from(passkey.publicKey, 'base64url'),
          counter: passkey.counter,
          transports: passkey.transports as never,
        },
        requireUserVerification: true,
      });
    } catch (err) {
      // A counter that went back means the key may have been copied (WebAuthn §6.1.1): refused and logged.
      const reason = /counter/i.test((err as Error).message) ? 'passkey_counter' : 'passkey_refused';
      log.warn({ method: 'passkey', reason, passkey: passkey.id, err: (err as Error).message }, 'passkey sign-in refused');
      return refused(ctx, reason, 'passkey.refused', passkey.accountId);
    }
    const info = verified.authenticationInfo;
    if (!verified.verified || !info.userVerified) return refused(ctx, 'passkey_refused', 'passkey.refused', passkey.accountId);
    // Two sign-ins that passed the check against the same counter: only one is recorded, the other refused.
    if (!(await store.recordUse(passkey.id, { counter: passkey.counter }, { counter: info.newCounter, backedUp: info.credentialBackedUp }))) {
      return refused(ctx, 'passkey_counter', 'passkey.refused', passkey.accountId);
    }
    const account = await deps.accounts.findById(passkey.accountId);
    if (!account) return refused(ctx, 'passkey_unknown', 'passkey.unknown');
    // `credential`: Kapı's id of the passkey whose signature was just verified, kept with the sign-in record
    // so that "This wasn't me" on it removes this passkey and no other.
    return {
      kind: 'done',
      accountId: account.id,
      amr: amrOf({ deviceType: info.credentialDeviceType, userVerified: info.userVerified }),
      account,
      credential: passkey.id,
    };
  }

  return {
    id: 'passkey',
    factor: 'first',
    acr: 'substantial',
    amr: ['hwk', 'swk', 'pin', 'user'],
    labelKey: 'method.passkey',
    // Anybody may try at the first stage (nobody is known yet); a step-up only with a passkey of her own.
    usableBy: (account) => store.hasAny(account.id),
    start: (ctx) => prompt(ctx),
    continue: verify,
  };
}
