import type Router from '@koa/router';
import type { AccountDeps } from '../deps.js';

/**
 * The account pages' features. Each module adds its routes to the /account router (use requireAccount /
 * requireAccountForm from ../guard.js) and its entry to ../nav.ts; list it here, one line each.
 */
export type AccountPage = (router: Router, deps: AccountDeps) => void;

export const ACCOUNT_PAGES: AccountPage[] = [];
