import type { ModuleNavEntry } from '../../engine/module.js';
import type { MessageKey } from '../../i18n/index.js';

/**
 * The account pages' navigation, in order. Each feature of src/web/account/pages adds its own entry
 * here (one line); a method module's pages bring theirs (`after` places it). `id` marks the current
 * page, `labelKey` is a message key.
 */
export interface NavEntry {
  id: string;
  href: string;
  labelKey: MessageKey;
}

export const ACCOUNT_NAV: NavEntry[] = [
  { id: 'overview', href: '/account', labelKey: 'account.nav.overview' },
  { id: 'password', href: '/account/password', labelKey: 'account.nav.password' },
  { id: 'contacts', href: '/account/contacts', labelKey: 'account.nav.contacts' },
  { id: 'security', href: '/account/security', labelKey: 'account.nav.security' },
  { id: 'history', href: '/account/history', labelKey: 'account.nav.history' },
  { id: 'sessions', href: '/account/sessions', labelKey: 'account.nav.sessions' },
];

/** The navigation with the modules' entries, each after the entry it names (else at the end). */
export function accountNav(extra: readonly ModuleNavEntry[]): NavEntry[] {
  const nav = [...ACCOUNT_NAV];
  for (const { after, ...entry } of extra) {
    const at = nav.findIndex((e) => e.id === after);
    nav.splice(at < 0 ? nav.length : at + 1, 0, entry);
  }
  return nav;
}
