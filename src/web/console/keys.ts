import type Router from '@koa/router';
import type { Context } from 'koa';
import { MIN_NEXT_KEY_AGE_SECONDS, type StoredKey } from '../../../keys/key-store.js';
import { isKapiError } from '../../errors.js';
import { translate } from '../../i18n/index.js';
import { localeFor } from '../locale.js';
import { CONSOLE_PATH } from './client.js';
import type { ConsoleDeps } from './deps.js';
import { consoleForm, requireOperator, requireOperatorForm, type Operator } from './guard.js';
import { consoleTime, renderConsolePage } from './render.js';
import { KEY_STATE_LABEL } from './messages.js';

// Signing keys in the operator console: their state (next, active, retiring, retired), when the next
// keys may be activated (published for an hour, so relying parties know them), and "rotate now" —
// keys/key-store.ts's rotation, the one `kapi keys rotate` runs, announced to every server.

export function keyRoutes(router: Router, deps: ConsoleDeps): void {
  const keysPage = async (ctx: Context, operator: Operator, extra: { error?: string; rotated?: string[] } = {}, status = 200) => {
    const locale = localeFor(ctx);
    const all = await deps.services.keys.list();
    const when = (d: Date | null) => (d ? { at: new Date(d).toISOString(), time: consoleTime(new Date(d), locale) } : undefined);
    const row = (k: StoredKey) => ({
      kid: k.kid,
      alg: k.alg,
      state: k.state,
      stateLabel: KEY_STATE_LABEL[k.state] ? translate(locale, KEY_STATE_LABEL[k.state]!) : k.state,
      created: when(k.createdAt),
      activated: when(k.activatedAt),
      retireAfter: when(k.retireAfter),
    });
    const next = all.filter((k) => k.state === 'next');
    const ready = next.length ? new Date(Math.max(...next.map((k) => new Date(k.createdAt).getTime())) + MIN_NEXT_KEY_AGE_SECONDS * 1000) : undefined;
    await renderConsolePage(
      ctx,
      operator.view,
      'keys',
      {
        id: 'keys',
        titleKey: 'console.keys.title',
        data: {
          keys: all.filter((k) => k.state !== 'retired').map(row),
          retired: all.filter((k) => k.state === 'retired').length,
          nextRotation: ready && when(ready),
          ...extra,
        },
      },
      { status },
    );
  };

  router.get('/keys', async (ctx) => {
    const operator = await requireOperator(ctx, deps);
    if (operator) await keysPage(ctx, operator);
  });

  router.post('/keys/rotate', consoleForm, async (ctx) => {
    const form = await requireOperatorForm(ctx, deps, { change: true });
    if (!form) return;
    const force = form.input.force === 'yes';
    let result: Awaited<ReturnType<ConsoleDeps['services']['keys']['rotate']>>;
    try {
      result = await deps.services.keys.rotate(new Date(), { force });
    } catch (err) {
      if (!isKapiError(err) || err.code !== 'invalid_request') throw err;
      return keysPage(ctx, form.operator, { error: translate(localeFor(ctx), 'console.keys.too_early') }, 409);
    }
    await deps.operators.trail.record(form.operator.actor, { action: 'keys.rotate', detail: { ...result, forced: force } });
    await deps.announceKeys();
    await keysPage(ctx, form.operator, { rotated: result.activated });
  });

  // A reload of the rotation's address lands on the keys page.
  router.get('/keys/rotate', (ctx) => ctx.redirect(`${CONSOLE_PATH}/keys`));
}
