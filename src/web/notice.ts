import type { MessageKey } from '../i18n/index.js';

/**
 * The message of a page's `?notice=` value (set by its own redirect after a change): only one of the
 * page's notices, never text from the address (no injected message).
 */
export function noticeFrom(notices: Readonly<Record<string, MessageKey>>, value: unknown): MessageKey | undefined {
  return typeof value === 'string' && Object.hasOwn(notices, value) ? notices[value] : undefined;
}
