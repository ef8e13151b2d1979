import type { NationalIdType } from '../identity/national-id.js';

export interface PostalAddress {
  formatted: string;
  street_address?: string;
  locality?: string;
  region?: string;
  postal_code?: string;
  country: string;
}

export interface Account {
  id: string;
  nationalId: string;
  nationalIdType: NationalIdType;
  givenName: string;
  familyName: string;
  birthdate: string | null;
  email: string | null;
  emailVerified: boolean;
  phone: string | null;
  phoneVerified: boolean;
  address: PostalAddress | null;
  passwordLoginEnabled: boolean;
  bankLoginEnabled: boolean;
}

export interface PasswordCredential {
  accountId: string;
  hash: string;
  mustChange: boolean;
  origin: 'office' | 'self' | 'reset';
}
