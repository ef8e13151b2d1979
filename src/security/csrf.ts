import { KapiError } from '../errors.js';
import { constantTimeEqual } from './crypto.js';

/**
 * Synchronizer-token CSRF protection: every form of an interaction carries the flow's random token,
 * which only a page rendered for that browser's interaction (bound by oidc-provider's signed
 * interaction cookie) can know. Compared in constant time.
 */
export function assertCsrf(expected: string | undefined, body: Record<string, unknown>): void {
  const sent = body._csrf;
  if (!expected || typeof sent !== 'string' || !constantTimeEqual(sent, expected)) {
    throw new KapiError('csrf_failed');
  }
}
