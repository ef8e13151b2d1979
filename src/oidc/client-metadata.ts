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

export function validateClientMetadata(_ctx: unknown, key: string, value: unknown, metadata: Record<string, unknown>): void {
  switch (key) {
    case 'institution_id':
      if (value === undefined) metadata.institution_id = metadata.client_id;
      else if (typeof value !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(value)) throw new errors.InvalidClientMetadata('institution_id must be 1-128 characters of letters, digits, ".", "_", ":" or "-"');
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
