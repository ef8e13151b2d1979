import { accountFromPerson, type AccountRepository } from '../accounts/account-repository.js';
import type { ClientService } from '../clients/client-service.js';
import { unlessItExists } from '../errors.js';
import { log } from '../log.js';
import type { ResourceServerRegistry } from '../oidc/resource-servers.js';
import type { RegistrarRepository } from './repository.js';
import type { RegistryLookup } from './types.js';

// The demo's office counter: one PTT branch, one registrar (the demo citizen whose `kapi dev token`
// card signs in at acr high), the registrar API as a resource server, and the registrar console as a
// public OIDC client (a program on the counter's desk, RFC 8252: PKCE, loopback redirect) with public
// subject identifiers, so the API can match the token's `sub` to the registrar's account.

export const DEMO_OFFICE = { code: 'PTT-ANK-KIZILAY', name: 'PTT Ankara Kızılay Merkez', kind: 'ptt' } as const;
export const DEMO_REGISTRAR_NATIONAL_ID = '10000000146';
export const REGISTRAR_CONSOLE_CLIENT_ID = 'registrar-console';
export const REGISTRAR_CONSOLE_REDIRECT = 'http://127.0.0.1:8400/callback';

export async function seedRegistrarDemo(deps: {
  issuer: string;
  accounts: AccountRepository;
  clients: ClientService;
  resourceServers: ResourceServerRegistry;
  registry: RegistryLookup;
  repository: RegistrarRepository;
  audience: string;
}): Promise<void> {
  if (!(await deps.repository.findOffice(DEMO_OFFICE.code))) await deps.repository.addOffice(DEMO_OFFICE);
  // Several processes may start at once: a registration another start made first counts as made.
  await unlessItExists(async () => {
    if (await deps.resourceServers.find(deps.audience)) return;
    await deps.resourceServers.add({ identifier: deps.audience, name: 'Kapı registrar API', scopes: ['registrar'], tokenFormat: 'jwt', accessTokenTtl: 600 });
  });
  await unlessItExists(async () => {
    if (await deps.clients.show(REGISTRAR_CONSOLE_CLIENT_ID)) return;
    await deps.clients.add(
      {
        clientId: REGISTRAR_CONSOLE_CLIENT_ID,
        name: 'Kapı şifre görevlisi konsolu',
        redirectUris: [REGISTRAR_CONSOLE_REDIRECT],
        authMethod: 'none',
        scopes: ['openid', 'profile'],
        minAcr: 'high',
        subjectType: 'public',
      },
      undefined,
      { ownApplication: true },
    );
  });
  await deps.repository.allowConsoleClient(REGISTRAR_CONSOLE_CLIENT_ID);

  let registrar = await deps.accounts.findByNationalId(DEMO_REGISTRAR_NATIONAL_ID);
  if (!registrar) {
    const person = await deps.registry.lookup(DEMO_REGISTRAR_NATIONAL_ID);
    if (!person) throw new Error(`demo registrar ${DEMO_REGISTRAR_NATIONAL_ID} is not in the registry fixtures`);
    try {
      registrar = await deps.accounts.create(accountFromPerson(person));
    } catch (error) {
      registrar = await deps.accounts.findByNationalId(DEMO_REGISTRAR_NATIONAL_ID);
      if (!registrar) throw error;
    }
  }
  if (!(await deps.repository.findRole(registrar.id))) {
    await deps.repository.grantRole(registrar.id, DEMO_OFFICE.code, 'demo-seed');
    log.info({ office: DEMO_OFFICE.code }, 'demo registrar office seeded');
  }
}
