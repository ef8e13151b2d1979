import { errors } from 'oidc-provider';
import { isAcr } from '../assurance/levels.js';

/**
 * Kapı's own client (institution) metadata beside the standard registration fields:
 *  - institution_id: the key of pairwise `sub` values (defaults to the client_id);
 *  - min_acr: the lowest level of assurance the institution accepts;
 *  - fapi: the institution follows the FAPI 2.0 Security Profile (PAR, private_key_jwt, DPoP, PS256/ES256);
 *  - first_party: one of Kapı's own applications (account pages, registrar console): no consent screen.
 */
export const CLIENT_METADATA = ['institution_id', 'min_acr', 'fapi', 'first_party'] as const;

/**
 * RFC 8252 §7.3: a native app on the person's own machine receives its answer on a loopback address,
 * the only place plain http cannot be read by the network. Any other http redirect would carry codes
 * and tokens in clear. Loopback means the IP literals; `localhost` is a name a resolver could point
 * elsewhere (RFC 8252 §8.3), so it is not accepted.
 */
export function insecureRedirectUri(uri: unknown): boolean {
  if (typeof uri !== 'string') return false;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false; // oidc-provider refuses malformed URIs itself
  }
  if (url.protocol !== 'http:') return false;
  return !(url.hostname === '127.0.0.1' || url.hostname === '[::1]');
}

function refuseInsecureRedirects(metadata: Record<string, unknown>): void {
  for (const field of ['redirect_uris', 'post_logout_redirect_uris'] as const) {
    const insecure = ((metadata[field] as unknown[] | undefined) ?? []).find(insecureRedirectUri);
    if (insecure)
      throw new errors.InvalidClientMetadata(
        `${field}: ${String(insecure)} is plain http; in production only https, or http on a loopback address (127.0.0.1 or [::1]) for native apps, is accepted`,
      );
  }
}

/** oidc-provider's validator of the extra metadata (called with the whole document); stricter in production. */
export function clientMetadataValidator(options: { production: boolean }) {
  return (ctx: unknown, key: string, value: unknown, metadata: Record<string, unknown>): void => {
    // institution_id is always validated (it gets a default), so the whole-document checks run with it.
    if (key === 'institution_id' && options.production) refuseInsecureRedirects(metadata);
    validateClientMetadata(ctx, key, value, metadata);
  };
}

export function validateClientMetadata(_ctx: unknown, key: string, value: unknown, metadata: Record<string, unknown>): void {
  switch (key) {
    case 'institution_id':
      if (value === undefined) metadata.institution_id = metadata.client_id;
      else if (typeof value !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(value))
        throw new errors.InvalidClientMetadata('institution_id must be 1-128 characters of letters, digits, ".", "_", ":" or "-"');
      break;
    case 'min_acr':
      if (value !== undefined && !isAcr(value)) throw new errors.InvalidClientMetadata('min_acr must be one of low, substantial, high');
      break;
    case 'fapi':
      if (value !== undefined && typeof value !== 'boolean') throw new errors.InvalidClientMetadata('fapi must be a boolean');
      if (value === true) {
        if (metadata.token_endpoint_auth_method !== 'private_key_jwt') throw new errors.InvalidClientMetadata('a FAPI client must use private_key_jwt');
        metadata.require_pushed_authorization_requests = true;
        metadata.dpop_bound_access_tokens = true;
      }
      break;
    case 'first_party':
      if (value !== undefined && typeof value !== 'boolean') throw new errors.InvalidClientMetadata('first_party must be a boolean');
      break;
    default:
      break;
  }
}
