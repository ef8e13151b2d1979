import type { NationalIdType } from '../../src/identity/national-id.js';

// The population registry (Address Based Population Registration System) is the authority on who holds a
// national identity number, what kind of identity it is, and where the person lives. Kapı copies names,
// birth date and address from it; people cannot edit them in Kapı.

/** An address in the shape of the OIDC `address` claim. In Turkey the province (il) is the region and
 *  the district (ilçe) the locality. */
export interface RegistryAddress {
  formatted: string;
  street_address?: string;
  locality: string;
  region?: string;
  postal_code?: string;
  country: 'TR';
}

export interface RegistryPerson {
  nationalId: string;
  type: NationalIdType;
  givenName: string;
  familyName: string;
  /** YYYY-MM-DD */
  birthdate: string;
  /** Serial number of the person's current identity document (ID card, blue card), as the registry
   *  records it: the password reset asks for it as proof of holding the document. */
  documentSerial?: string;
  /** Absent for people without a registered address in Türkiye (many blue card holders live abroad). */
  address?: RegistryAddress;
  /** The registry keeps deceased people; callers decide what a death means for their method. */
  alive: boolean;
}

export interface PopulationRegistry {
  /** The person holding this number, or null when the registry knows no one by it. Transport failures
   *  are thrown as KapiError('upstream_unavailable'), never answered with null. */
  lookup(nationalId: string): Promise<RegistryPerson | null>;
  /** Lets go of connections (the HTTPS client's keep-alive sockets); absent where there are none. */
  close?(): void;
}
