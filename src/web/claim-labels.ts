import type { NationalIdType } from '../identity/national-id.js';
import { translate, type Locale, type MessageKey } from '../i18n/index.js';
import type { SCOPE_CLAIMS } from '../oidc/claims.js';
import './messages.js';

/** The claims a person is told about: every scope's claims but `openid`'s (technical), and offline access. */
type NamedClaim = (typeof SCOPE_CLAIMS)[Exclude<keyof typeof SCOPE_CLAIMS, 'openid'>][number] | 'offline_access';

const CLAIM_LABEL = {
  name: 'claim.name',
  given_name: 'claim.given_name',
  family_name: 'claim.family_name',
  birthdate: 'claim.birthdate',
  national_id: 'claim.national_id',
  national_id_type: 'claim.national_id_type',
  address: 'claim.address',
  email: 'claim.email',
  email_verified: 'claim.email_verified',
  phone_number: 'claim.phone_number',
  phone_number_verified: 'claim.phone_number_verified',
  offline_access: 'claim.offline_access',
} as const satisfies Record<NamedClaim, MessageKey>;

const NATIONAL_ID_LABEL = {
  citizen: 'claim.national_id',
  foreigner: 'claim.national_id.foreigner',
  blue_card: 'claim.national_id.blue_card',
} as const satisfies Record<NationalIdType, MessageKey>;

const NATIONAL_ID_TYPE_LABEL = {
  citizen: 'claim.national_id_type.citizen',
  foreigner: 'claim.national_id_type.foreigner',
  blue_card: 'claim.national_id_type.blue_card',
} as const satisfies Record<NationalIdType, MessageKey>;

/**
 * The message that names a claim to the person whose claim it is. The identity number is named for
 * her identity type (issue 20 point 6): a foreigner shares her foreign identification number (YKN),
 * never a "T.C. kimlik numarası"; a blue card holder keeps a citizen-shaped number but is not a
 * citizen; and the identity type says which of the three she is. Other claims have one name.
 */
export function claimLabelKey(claim: string, type: NationalIdType | undefined): MessageKey | undefined {
  if (claim === 'national_id' && type) return NATIONAL_ID_LABEL[type];
  if (claim === 'national_id_type' && type) return NATIONAL_ID_TYPE_LABEL[type];
  return Object.hasOwn(CLAIM_LABEL, claim) ? CLAIM_LABEL[claim as NamedClaim] : undefined;
}

/** A claim's name in the person's language; a claim Kapı has no name for is shown as is. */
export function claimName(locale: Locale, claim: string, type?: NationalIdType): string {
  const key = claimLabelKey(claim, type);
  return key ? translate(locale, key) : claim;
}
