import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { ClientService } from '../clients/client-service.js';
import { registerCatalog, type English, translate } from '../i18n/index.js';
import { localeFor } from './locale.js';
import { renderPage } from './render.js';

const tr = {
  'suspended.title': 'Bu hizmete giriş geçici olarak durduruldu',
  'suspended.body':
    'Sizi buraya gönderen kurumun Kapı ile girişi, Kapı işletmecisi tarafından askıya alındı. Şu anda bu hizmete Kapı ile giriş yapamazsınız. Hesabınızda bir sorun yoktur; ayrıntı için hizmeti sunan kuruma başvurun.',
} as const;

const en: English<typeof tr> = {
  'suspended.title': 'Sign-in to this service is suspended',
  'suspended.body':
    'The operator of Kapı has suspended sign-in for the institution that sent you here. You cannot sign in to this service with Kapı for now. Nothing is wrong with your account; ask the institution that runs the service for details.',
};

registerCatalog(tr, en);

declare module '../i18n/index.js' {
  interface Catalogs {
    'src/web/suspended-institution': typeof tr;
  }
}

/**
 * A sign-in started by a suspended institution (issue 23 point 2) gets a page that says so, in the
 * person's language (403), instead of oidc-provider's "the request is not valid": the person should
 * not think her account or the service's request is at fault. oidc-provider looks the client up first
 * (from its cache): only an unknown client_id costs the one read that tells a suspension apart.
 */
export function suspendedInstitutionPage(deps: { provider: () => Provider; clients: ClientService }): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path !== '/auth' || ctx.method !== 'GET') return next();
    const clientId = ctx.query.client_id;
    if (typeof clientId !== 'string' || !clientId || clientId.length > 128) return next();
    if (await deps.provider().Client.find(clientId)) return next();
    if (!(await deps.clients.isSuspended(clientId))) return next();
    const locale = localeFor(ctx, typeof ctx.query.ui_locales === 'string' ? ctx.query.ui_locales : undefined);
    await renderPage(ctx, '/src/web/views/suspended', locale, { title: translate(locale, 'suspended.title') }, { status: 403 });
  };
}
