import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Koa from 'koa';
import Provider, { type AdapterPayload, type ClientMetadata, type Configuration } from 'oidc-provider';
import { packageFile } from '../../../src/runtime/package-root.js';
import { DEMO_CUSTOMERS, DEMO_OTP, findCustomer, type DemoCustomer } from './customers.js';
import { demoBankAdapter } from './memory-adapter.js';
import { loginPage } from './pages.js';

// The demo bank: a real OpenID Connect provider (oidc-provider 9) with test customers and its own
// login page. Kapı reaches it through the same client code as a real bank. It reports the national
// identity number in the claim `tckn` (scope `tckn`), acr `urn:demobank:loa:2` after password and
// one-time code, `urn:demobank:loa:1` after a password only, and the amr of what it checked.

export const DEMO_BANK_ACR = { password: 'urn:demobank:loa:1', twoFactor: 'urn:demobank:loa:2' } as const;
export const DEMO_BANK_LOGO = packageFile('adapters/banks/demo-bank/logo.svg');

export interface DemoBankOptions {
  port: number;
  host?: string;
  /** Public URL of the bank; defaults to http://{host}:{port}. */
  issuer?: string;
  name?: string;
  /** The relying parties the bank knows (Kapı). */
  clients: ClientMetadata[];
  customers?: readonly DemoCustomer[];
}

export interface DemoBank {
  issuer: string;
  name: string;
  /** Authorization requests as the bank received them (the demo's proof of what Kapı sends). */
  readonly authorizationRequests: URLSearchParams[];
  /** Replaces the signing key: the old one disappears from the JWKS at once. */
  rotateKeys(): Promise<string>;
  /** The kid the bank signs with now. */
  currentKid(): string;
  close(): Promise<void>;
}

async function signingKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  return { ...(await exportJWK(privateKey)), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

export async function startDemoBank(options: DemoBankOptions): Promise<DemoBank> {
  const host = options.host ?? '127.0.0.1';
  const issuer = (options.issuer ?? `http://${host}:${options.port}`).replace(/\/$/, '');
  const name = options.name ?? 'Demo Bank';
  const customers = options.customers ?? DEMO_CUSTOMERS;
  const Adapter = demoBankAdapter(options.clients.map((c) => ({ response_types: ['code'], grant_types: ['authorization_code'], ...c }) as AdapterPayload));
  const cookieKeys = [randomBytes(32).toString('base64url')];
  const authorizationRequests: URLSearchParams[] = [];
  let key = await signingKey();

  const configuration = (): Configuration => ({
    adapter: Adapter,
    jwks: { keys: [key] },
    cookies: { keys: cookieKeys },
    scopes: ['openid', 'tckn'],
    claims: { openid: ['sub', 'acr', 'amr', 'auth_time'], tckn: ['tckn'] },
    conformIdTokenClaims: false,
    acrValues: [DEMO_BANK_ACR.password, DEMO_BANK_ACR.twoFactor],
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false }, userinfo: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `/login/${interaction.uid}` },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AuthorizationCode: 60, AccessToken: 300, IdToken: 300 },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${name} (DEMO): error</title></head><body><p>DEMO BANK: not a real bank.</p><h1>Something went wrong</h1><p>${String(out.error).replace(/[^a-z_]/g, '')}</p></body></html>`;
    },
    async findAccount(_ctx, sub) {
      const customer = customers.find((c) => subjectOf(c) === sub);
      if (!customer) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...(customer.nationalId ? { tckn: customer.nationalId } : {}) }) };
    },
  });
  // The bank's subject is its own pairwise-looking identifier, not the national identity number.
  const subjectOf = (c: DemoCustomer) => `cust-${c.customerNumber}`;

  let provider = new Provider(issuer, configuration());
  let handler = provider.callback();

  const app = new Koa();
  const router = new Router();
  const form = bodyParser({ enableTypes: ['form'] });

  router.get('/logo.svg', (ctx) => {
    ctx.type = 'image/svg+xml';
    ctx.body = readFileSync(DEMO_BANK_LOGO);
  });

  router.get('/login/:uid', async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const client = await provider.Client.find(String(details.params.client_id));
    ctx.type = 'html';
    ctx.body = loginPage({ bankName: name, uid: details.uid, clientName: client?.clientName ?? String(details.params.client_id), customers });
  });

  router.post('/login/:uid', form, async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const body = (ctx.request as unknown as { body: Record<string, string> }).body ?? {};
    if (body.action === 'cancel') {
      await provider.interactionFinished(
        ctx.req,
        ctx.res,
        { error: 'access_denied', error_description: 'the customer cancelled' },
        { mergeWithLastSubmission: false },
      );
      ctx.respond = false;
      return;
    }
    const customer = findCustomer(customers, String(body.login ?? ''));
    const passwordOk = customer !== undefined && customer.password === String(body.password ?? '');
    const otpOk = customer !== undefined && (!customer.otp || String(body.otp ?? '').trim() === DEMO_OTP);
    if (!customer || !passwordOk || !otpOk) {
      const client = await provider.Client.find(String(details.params.client_id));
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = loginPage({
        bankName: name,
        uid: details.uid,
        clientName: client?.clientName ?? '',
        customers,
        error: 'The customer number, password or one-time code is wrong.',
      });
      return;
    }
    const accountId = subjectOf(customer);
    const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const grantId = await grant.save();
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      {
        login: { accountId, acr: customer.otp ? DEMO_BANK_ACR.twoFactor : DEMO_BANK_ACR.password, amr: customer.otp ? ['pwd', 'otp', 'mfa'] : ['pwd'] },
        consent: { grantId },
      },
      { mergeWithLastSubmission: false },
    );
    ctx.respond = false;
  });

  app.use(router.routes());
  app.use(async (ctx) => {
    if (ctx.path === '/auth') authorizationRequests.push(new URLSearchParams(ctx.querystring));
    ctx.respond = false;
    await handler(ctx.req, ctx.res);
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port, host, () => resolve(s));
    s.once('error', reject);
  });

  return {
    issuer,
    name,
    authorizationRequests,
    currentKid: () => String(key.kid),
    async rotateKeys() {
      // oidc-provider fixes its keystore at construction: a new key means a new provider instance
      // (same storage, so nothing in flight is lost).
      key = await signingKey();
      provider = new Provider(issuer, configuration());
      handler = provider.callback();
      return String(key.kid);
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
    },
  };
}
