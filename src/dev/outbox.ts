import Router from '@koa/router';
import type { MailOutbox } from '../../adapters/mail/outbox.js';
import type { SmsOutbox } from '../../adapters/sms/outbox.js';
import { translate } from '../i18n/index.js';
import { localeFor } from '../web/locale.js';
import { renderPage } from '../web/render.js';
import './outbox-messages.js';

/**
 * /dev/outbox: what the SMS and mail simulators "sent" (codes included), newest first, so a developer
 * on the embedded default can finish a contact verification or a password reset. The composition
 * root mounts it only when the outboxes are in use (simulators allowed, outside production); without
 * them the path is simply unknown (404).
 */
export function devOutboxRouter(outboxes: { sms?: SmsOutbox | undefined; mail?: MailOutbox | undefined }): Router {
  const router = new Router();
  router.get('/dev/outbox', async (ctx) => {
    const locale = localeFor(ctx);
    const to = typeof ctx.query.to === 'string' ? ctx.query.to.slice(0, 254) : undefined;
    ctx.set('Cache-Control', 'no-store');
    await renderPage(ctx, '/src/dev/views/outbox', locale, {
      title: translate(locale, 'dev.outbox.title'),
      sms: (outboxes.sms?.list(to) ?? []).slice(0, 50),
      mail: (outboxes.mail?.list(to) ?? []).slice(0, 50),
      smsInUse: Boolean(outboxes.sms),
      mailInUse: Boolean(outboxes.mail),
      to,
    });
  });
  return router;
}
