import type Provider from 'oidc-provider';
import type { AccountRepository } from '../../accounts/account-repository.js';
import type { ConsentRepository } from '../../accounts/consent-repository.js';
import type { MethodRegistry } from '../../engine/method-registry.js';
import type { MethodTraitBook } from '../../engine/traits.js';
import type { Policy } from '../../engine/types.js';
import type { AuditLog } from '../../security/audit.js';
import type { DeviceCookies } from '../../security/device-cookies.js';

/** What the interaction pages need, wired once in src/app.ts. */
export interface InteractionDeps {
  provider: () => Provider;
  methods: MethodRegistry;
  policies: readonly Policy[];
  /** What each method proves (the modules' traits): the pages ask these, never method ids. */
  traits: MethodTraitBook;
  accounts: AccountRepository;
  consents: ConsentRepository;
  audit: AuditLog;
  /** Number of trusted reverse-proxy hops in front of Kapı (X-Forwarded-For). */
  clientIp: (ctx: import('koa').Context) => string;
  /** The registered APIs, by resource indicator: the consent page names each one a token is asked for. */
  resourceServers?: { find(identifier: string): Promise<{ name: string } | undefined> };
  /** The browser's device tokens (OWASP device cookies): read by the limits, renewed at every sign-in. */
  deviceCookies: DeviceCookies;
  /** After every successful sign-in: the person showed up, so strangers' runs of failures against her end. */
  ownerSignedIn?: (nationalId: string) => Promise<void>;
}
