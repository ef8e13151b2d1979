import type { Knex } from 'knex';
import type { PopulationRegistry } from '../../adapters/population-registry/port.js';
import { accountFromPerson, type AccountRepository } from '../accounts/account-repository.js';
import type { PasswordHasher } from '../accounts/password-hasher.js';
import type { ClientService } from '../clients/client-service.js';
import { unlessItExists } from '../errors.js';
import { log } from '../log.js';
import { DEMO_CLIENT_ID } from './routes.js';

/**
 * Demo citizens (listed in the README). Their people come from the population-registry simulator;
 * one has an office-issued one-time password, so the forced change can be seen.
 */
export const DEMO_CITIZENS = [
  { nationalId: '10000000146', password: 'Ankara-Kizilay-1923', mustChange: false, email: 'ayse.yilmaz@example.org', phone: '+905321112233' },
  { nationalId: '12345678950', password: 'ptt-7KQ4M9XZ', mustChange: true },
  { nationalId: '34567891238', password: 'Mavi-Kart-Sahibi-68', mustChange: false },
  { nationalId: '99234567106', password: 'Yabanci-Kimlik-99', mustChange: false },
] as const;

export async function seedDemo(deps: {
  issuer: string;
  accounts: AccountRepository;
  clients: ClientService;
  hasher: PasswordHasher;
  registry: PopulationRegistry;
  db: Knex;
}): Promise<void> {
  // Several processes may start at once on one empty database: each citizen is made in one transaction
  // that a concurrent start's citizen makes fail (the identity number is unique), and a registration
  // someone else made first counts as made. Nothing is left half-way (an account without its password).
  for (const citizen of DEMO_CITIZENS) {
    if (await deps.accounts.findByNationalId(citizen.nationalId)) continue;
    const person = await deps.registry.lookup(citizen.nationalId);
    if (!person) throw new Error(`demo citizen ${citizen.nationalId} is not in the registry fixtures`);
    const email = 'email' in citizen ? citizen.email : null;
    const phone = 'phone' in citizen ? citizen.phone : null;
    const hash = await deps.hasher.hash(citizen.password);
    try {
      await deps.db.transaction(async (trx) => {
        // The demo phone stands for one the registry holds (verified with the ID card), so it can serve
        // as the SMS second factor (DESIGN.md "Phones for the SMS second factor").
        const account = await deps.accounts.create(
          {
            ...accountFromPerson(person, { email, emailVerified: email !== null, phone, phoneVerified: phone !== null }),
            phoneVerifiedAcr: phone !== null ? 'registry' : null,
          },
          trx,
        );
        await deps.accounts.setPassword({ accountId: account.id, hash, mustChange: citizen.mustChange, origin: citizen.mustChange ? 'office' : 'self' }, trx);
      });
    } catch (error) {
      if (!(await deps.accounts.findByNationalId(citizen.nationalId))) throw error;
    }
  }
  await unlessItExists(async () => {
    if (await deps.clients.show(DEMO_CLIENT_ID)) return;
    await deps.clients.add({
      clientId: DEMO_CLIENT_ID,
      name: 'Örnek Belediye',
      redirectUris: [`${deps.issuer}/demo/callback`],
      postLogoutRedirectUris: [`${deps.issuer}/demo`],
      authMethod: 'client_secret_basic',
      scopes: ['openid', 'profile', 'national_id', 'address', 'email', 'phone', 'offline_access'],
      idTokenAlg: 'ES256',
    });
    log.info({ clientId: DEMO_CLIENT_ID }, 'demo institution registered');
  });
}
