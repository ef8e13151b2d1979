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
];
