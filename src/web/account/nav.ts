/**
 * The account pages' navigation, in order. Each feature adds its own entry here (one line) when its
 * pages exist; `id` marks the current page, `labelKey` is a message key.
 */
export interface NavEntry {
  id: string;
  href: string;
  labelKey: string;
}

export const ACCOUNT_NAV: NavEntry[] = [
  { id: 'overview', href: '/account', labelKey: 'account.nav.overview' },
  { id: 'password', href: '/account/password', labelKey: 'account.nav.password' },
  { id: 'contacts', href: '/account/contacts', labelKey: 'account.nav.contacts' },
  { id: 'security', href: '/account/security', labelKey: 'account.nav.security' },
  { id: 'second_factors', href: '/account/second-factors', labelKey: 'account.nav.second_factors' },
  { id: 'history', href: '/account/history', labelKey: 'account.nav.history' },
  { id: 'sessions', href: '/account/sessions', labelKey: 'account.nav.sessions' },
];
