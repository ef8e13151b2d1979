import type { Services } from '../../../../services.js';

// Every model that hangs off a grant (oidc-provider's list); revoking them ends the institution's
// access and refresh tokens at once.
const GRANT_MODELS = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'];

interface SessionPayload {
  authorizations?: Record<string, { grantId?: string }>;
}

/**
 * Withdraws a person's consent for one institution: the remembered consent goes, and so does every
 * grant that institution holds for the person, with the tokens issued under it. A grant is what lets
 * an existing sign-in session skip the consent screen (loadExistingGrant), so without this the next
 * sign-in in the same browser would not ask again. Returns how many grants were revoked.
 *
 * Grants are found where their ids are known: the person's live sessions (one grant per institution
 * each) and refresh tokens (offline access outlives sessions). Grants left over from ended sessions
 * are removed by their owner and institution (oidc-provider's own payload fields).
 */
export async function withdrawConsent(services: Services, accountId: string, clientId: string): Promise<number> {
  // Grants first, then the consent, then the grants again: if anything fails before the consent is
  // gone, the person can simply try again (the button stays); a sign-in that made a new grant from
  // the consent in between is caught by the second sweep.
  let revoked = await revokeGrants(services, accountId, clientId);
  await services.consents.withdraw(accountId, clientId);
  revoked += await revokeGrants(services, accountId, clientId);
  return revoked;
}

async function revokeGrants(services: Services, accountId: string, clientId: string): Promise<number> {
  const grantIds = new Set<string>();
  const sessionModel = new services.adapter('Session');
  for (const session of await services.sessions.listActive(accountId)) {
    const payload = (await sessionModel.findByUid(session.uid)) as SessionPayload | undefined;
    const grantId = payload?.authorizations?.[clientId]?.grantId;
    if (grantId) grantIds.add(grantId);
  }
  const refreshTokens = (await services
    .db('oidc_models')
    .where({ model: 'RefreshToken' })
    .whereRaw("payload->>'accountId' = ? and payload->>'clientId' = ?", [accountId, clientId])
    .select('payload')) as { payload: { grantId?: string } }[];
  for (const row of refreshTokens) if (row.payload.grantId) grantIds.add(row.payload.grantId);

  for (const grantId of grantIds) {
    await Promise.all(GRANT_MODELS.map((model) => new services.adapter(model).revokeByGrantId(grantId)));
    await new services.adapter('Grant').destroy(grantId);
  }
  const leftovers = await services
    .db('oidc_models')
    .where({ model: 'Grant' })
    .whereRaw("payload->>'accountId' = ? and payload->>'clientId' = ?", [accountId, clientId])
    .delete(['id']);
  return grantIds.size + leftovers.length;
}
