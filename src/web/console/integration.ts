import type Router from '@koa/router';
import { integrationView } from '../integration/integration.js';
import { localeFor } from '../locale.js';
import { CONSOLE_PATH } from './client.js';
import type { ConsoleDeps } from './deps.js';
import { requireOperator } from './guard.js';
import { renderConsolePage } from './render.js';

// An institution's integration page in the operator console (issue 23 point 3): what its developers need,
// filled in from its registration (src/web/integration). A read page: administrators and auditors signed
// in at `high`, as the institution's own page. The client secret is never on it.

const CLIENT_ID = /^[A-Za-z0-9._:-]{3,128}$/;

export function integrationRoutes(router: Router, deps: ConsoleDeps): void {
  router.get('/institutions/:id/integration', async (ctx) => {
    const clientId = ctx.params.id;
    if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) return;
    const operator = await requireOperator(ctx, deps);
    if (!operator) return;
    const locale = localeFor(ctx);
    const client = await deps.operators.institutions.show(clientId);
    const integration = integrationView(client.metadata, deps.config.issuer, locale);
    await renderConsolePage(ctx, operator.view, 'integration', {
      id: 'integration',
      titleKey: 'integration.title',
      titleParams: { name: integration.name },
      data: { integration, back: `${CONSOLE_PATH}/institutions/${encodeURIComponent(clientId)}` },
    });
  });
}
