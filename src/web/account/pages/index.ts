import type Router from '@koa/router';
import type { AccountDeps } from '../deps.js';
import { securityPages } from './security/index.js';
import { historyPages } from './history/index.js';
import { sessionsPages } from './sessions/index.js';
import { passwordPages } from './password/index.js';
import { contactPages } from './contacts/index.js';
import { resetPages } from './reset/index.js';

/**
 * The account pages' features. Each module adds its routes to the /account router (use requireAccount /
 * requireAccountForm from ../guard.js) and its entry to ../nav.ts; list it here, one line each. A method
 * module's own pages come with the module (src/engine/module.ts, `accountPages`).
 */
export type AccountPage = (router: Router, deps: AccountDeps) => void;

export const ACCOUNT_PAGES: AccountPage[] = [securityPages, historyPages, sessionsPages, passwordPages, contactPages, resetPages];
