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
  /** Two-factor authentication (issue 7): every first-stage login is followed by a second stage. */
  twoFactorEnabled?: boolean;
  /** The level of the session the phone was verified in ('registry' when it came from the registry);
   *  null when unknown. The SMS second factor needs 'substantial' or more (DESIGN.md). */
  phoneVerifiedAcr?: PhoneVerificationLevel | null;
  /** What a password reset sends codes to (the person's choice on the contacts page). */
  passwordResetMethod?: PasswordResetMethod;
}

export type PhoneVerificationLevel = 'low' | 'substantial' | 'high' | 'registry';
export type PasswordResetMethod = 'phone' | 'phone_and_email';

export interface PasswordCredential {
  accountId: string;
  hash: string;
  mustChange: boolean;
  origin: 'office' | 'self' | 'reset';
}
