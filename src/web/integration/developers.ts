import Router from '@koa/router';
import { DEMO_CUSTOMERS, DEMO_OTP } from '../../../adapters/banks/demo-bank/customers.js';
import { DEFAULT_SUBSCRIBERS } from '../../../adapters/mobile-operators/simulator/subscribers.js';
import type { PopulationRegistry } from '../../../adapters/population-registry/port.js';
import type { ClientService } from '../../clients/client-service.js';
import { DEMO_CLIENT_ID } from '../../demo/routes.js';
import { DEMO_CITIZENS } from '../../demo/seed.js';
import { translate } from '../../i18n/index.js';
import { localeFor } from '../locale.js';
import { renderPage } from '../render.js';
import { integrationView } from './integration.js';

// The demo's public developer page (issue 23 point 3), GET /developers, mounted only when the demo is on
// (src/app.ts): the demo institution's integration page (the operator console's, same sections) and the
// demo's test people, taken from the lists that seed them: the demo citizens (src/demo/seed.ts, their
// names from the registry), the demo bank's customers and the MSSP simulator's signing numbers.

export interface DeveloperPageOptions {
  issuer: string;
  clients: ClientService;
  registry: PopulationRegistry;
  /** Which of the demo's simulators run here (their people are listed only then). */
  demoBank: boolean;
  mobileSignature: boolean;
  /** /dev/outbox is served (the SMS and mail simulators). */
  outbox: boolean;
}

/** 5300000001 → 0530 000 00 01, as the README writes the test numbers. */
const phone = (n: string) => `0${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6, 8)} ${n.slice(8)}`;

export function developersRouter(options: DeveloperPageOptions): Router {
  const router = new Router();
  router.get('/developers', async (ctx) => {
    const locale = localeFor(ctx);
    const demo = await options.clients.show(DEMO_CLIENT_ID);
    if (!demo) return; // not seeded: the not-found page
    const citizens = await Promise.all(
      DEMO_CITIZENS.map(async (c) => {
        const person = await options.registry.lookup(c.nationalId);
        return { name: person ? `${person.givenName} ${person.familyName}` : '', nationalId: c.nationalId, password: c.password, mustChange: c.mustChange };
      }),
    );
    await renderPage(ctx, '/src/web/integration/views/developers', locale, {
      title: translate(locale, 'developers.title'),
      integration: integrationView(demo.metadata, options.issuer, locale),
      citizens,
      outbox: options.outbox,
      bank: options.demoBank
        ? { otp: DEMO_OTP, customers: DEMO_CUSTOMERS.map((c) => ({ number: c.customerNumber, password: c.password, name: c.name, otp: c.otp, note: c.note })) }
        : undefined,
      mssp: options.mobileSignature
        ? DEFAULT_SUBSCRIBERS.filter((s) => s.behaviour === 'approve').map((s) => ({
            number: phone(s.number),
            name: `${s.person.givenName} ${s.person.familyName}`,
          }))
        : undefined,
    });
  });
  return router;
}
