import type { NationalIdType } from '../identity/national-id.js';

/**
 * The message key that names a claim to the person whose claim it is. The identity number is named
 * for her identity type (issue 20 point 6): a foreigner shares her foreign identification number
 * (YKN), never a "T.C. kimlik numarası"; a blue card holder keeps a citizen-shaped number but is not
 * a citizen; and the identity type says which of the three she is. Other claims have one name.
 */
export function claimLabelKey(claim: string, type: NationalIdType | undefined): string {
  if (claim === 'national_id' && (type === 'foreigner' || type === 'blue_card')) return `claim.national_id.${type}`;
  if (claim === 'national_id_type' && type) return `claim.national_id_type.${type}`;
  return `claim.${claim}`;
}
