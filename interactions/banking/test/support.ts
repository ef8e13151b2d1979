import { generateKeyPairSync } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { exportJWK } from 'jose';
import { DEMO_BANK_ACR, DEMO_BANK_LOGO, startDemoBank, type DemoBank } from '../../../adapters/banks/demo-bank/server.js';
import { DEMO_OTP } from '../../../adapters/banks/demo-bank/customers.js';
import { type Browser, decode, type Page } from '../../../test/support/browser.js';
import { atCallback } from '../../../test/support/institution.js';
import { freePort, startKapi, type TestKapi } from '../../../test/support/kapi.js';

// Banks beside a test Kapı, all real: two demo banks (oidc-provider) with different client
// authentication, one behind a tampering proxy (to forge a bad signature or let the token endpoint
// hang), an issuer nobody listens on, and one that accepts connections and never answers.

export type ProxyMode = 'pass' | 'bad-signature' | 'hang-token';

export interface TamperingProxy {
  url: string;
  mode: ProxyMode;
  close(): Promise<void>;
}

/** An HTTP proxy that is the public face of a demo bank and can spoil its token responses. */
async function startTamperingProxy(port: number, target: string): Promise<TamperingProxy> {
  const upstream = new URL(target);
  const hanging = new Set<IncomingMessage>();
  const proxy: TamperingProxy = { url: `http://127.0.0.1:${port}`, mode: 'pass', close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const isToken = req.url?.startsWith('/token') ?? false;
    if (isToken && proxy.mode === 'hang-token') {
      hanging.add(req);
      return; // never answers: Kapı's timeout must end the wait
    }
    const out = httpRequest({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      if (!(isToken && proxy.mode === 'bad-signature')) {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id_token?: string };
        if (body.id_token) {
          const [h, p, s] = body.id_token.split('.') as [string, string, string];
          const sig = Buffer.from(s, 'base64url');
          sig[0] = sig[0]! ^ 0xff; // one flipped byte: a signature the bank's key did not make
          body.id_token = `${h}.${p}.${sig.toString('base64url')}`;
        }
        const text = JSON.stringify(body);
        const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(text)) };
        res.writeHead(answer.statusCode ?? 502, headers);
        res.end(text);
      });
    });
    out.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const r of hanging) r.socket.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return proxy;
}

/** Accepts TCP connections and never answers (a bank that hangs). */
async function startBlackHole(port: number): Promise<TcpServer> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  }) as typeof server.close;
  return server;
}

export interface BankWorld {
  t: TestKapi;
  /** Kapı authenticates with private_key_jwt. */
  bankA: DemoBank;
  /** Kapı authenticates with client_secret_post; its public face is a tampering proxy. */
  bankB: DemoBank;
  proxyB: TamperingProxy;
  dir: string;
  close(): Promise<void>;
}

export const BANK_A = 'alfa-bank';
export const BANK_B = 'beta-bank';
export const BANK_DOWN = 'kapali-bank';
export const BANK_SLOW = 'yavas-bank';

export async function startBankWorld(env: Record<string, string> = {}): Promise<BankWorld> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-banks-'));
  const [portA, portB, portBReal, portDown, portSlow] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(path.join(dir, 'alfa.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
  const secretB = 'beta-bank-client-secret-0123456789abcdef';
  await writeFile(path.join(dir, 'beta.secret'), `${secretB}\n`, { mode: 0o600 });
  const demoLogo = path.relative(dir, DEMO_BANK_LOGO);
  const banks = [
    {
      id: BANK_A,
      name: 'Alfa Bank',
      logo: demoLogo,
      issuer: `http://127.0.0.1:${portA}`,
      clientId: 'kapi-a',
      auth: { method: 'private_key_jwt', privateKeyFile: 'alfa.pem', kid: 'kapi-a-1' },
      scopes: ['openid', 'tckn'],
      nationalIdClaim: 'tckn',
      acr: { [DEMO_BANK_ACR.password]: 'low', [DEMO_BANK_ACR.twoFactor]: 'substantial' },
    },
    {
      id: BANK_B,
      name: 'Beta Bank',
      issuer: `http://127.0.0.1:${portB}`,
      clientId: 'kapi-b',
      auth: { method: 'client_secret_post', secretFile: 'beta.secret' },
      scopes: ['openid', 'tckn'],
      nationalIdClaim: 'tckn',
      timeoutMs: 1500,
    },
    {
      id: BANK_DOWN,
      name: 'Kapalı Bank',
      issuer: `http://127.0.0.1:${portDown}`,
      clientId: 'kapi',
      auth: { method: 'client_secret_basic', secretFile: 'beta.secret' },
      timeoutMs: 1500,
    },
    {
      id: BANK_SLOW,
      name: 'Yavaş Bank',
      issuer: `http://127.0.0.1:${portSlow}`,
      clientId: 'kapi',
      auth: { method: 'client_secret_basic', secretFile: 'beta.secret' },
      timeoutMs: 1000,
    },
    {
      id: 'disabled-bank',
      name: 'Kapatılmış Bank',
      enabled: false,
      issuer: 'http://127.0.0.1:9',
      clientId: 'kapi',
      auth: { method: 'client_secret_basic', secretFile: 'beta.secret' },
    },
  ];
  await writeFile(path.join(dir, 'banks.json'), JSON.stringify(banks, null, 2));
  const t = await startKapi({ env: { KAPI_BANKS_FILE: path.join(dir, 'banks.json'), ...env } });
  const redirect = `${t.issuer}/banking/callback`;
  const bankA = await startDemoBank({
    port: portA,
    name: 'Alfa Bank',
    clients: [
      {
        client_id: 'kapi-a',
        client_name: 'Kapı',
        redirect_uris: [redirect],
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'kapi-a-1', alg: 'ES256', use: 'sig' }] },
      },
    ],
  });
  const bankB = await startDemoBank({
    port: portBReal,
    issuer: `http://127.0.0.1:${portB}`,
    name: 'Beta Bank',
    clients: [
      { client_id: 'kapi-b', client_name: 'Kapı', redirect_uris: [redirect], token_endpoint_auth_method: 'client_secret_post', client_secret: secretB },
    ],
  });
  const proxyB = await startTamperingProxy(portB, `http://127.0.0.1:${portBReal}`);
  const slow = await startBlackHole(portSlow);
  return {
    t,
    bankA,
    bankB,
    proxyB,
    dir,
    async close() {
      await t.stop();
      await bankA.close();
      await bankB.close();
      await proxyB.close();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** From the institution's authorization URL to the bank chooser page. */
export async function toBankChooser(browser: Browser, start: string): Promise<Page> {
  let page = await browser.go(start, {}, atCallback);
  if (page.html.includes('data-method="banking"')) page = await browser.submit(page, {}, { name: 'method', value: 'banking' }, atCallback);
  return page;
}

export function bankLink(page: Page, bank: string): string {
  const href = new RegExp(`href="([^"]*/banking/${bank}\\?[^"]*)"`).exec(page.html)?.[1];
  if (!href) throw new Error(`no link to ${bank} on ${page.url} (${page.status}):\n${page.html.slice(0, 3000)}`);
  return new URL(decode(href), page.url).href;
}

/** Follows a bank link to the bank's login page, returning the authorization URL Kapı sent the browser to. */
export async function toBank(browser: Browser, chooser: Page, bankId: string, issuer: string): Promise<{ authorizationUrl: string; page: Page }> {
  const sent = await browser.go(bankLink(chooser, bankId), {}, (location) => location.startsWith(`${issuer}/auth`));
  if (!sent.url.startsWith(`${issuer}/auth`)) throw new Error(`expected a redirect to ${issuer}, got ${sent.status} ${sent.url}\n${sent.html.slice(0, 2000)}`);
  return { authorizationUrl: sent.url, page: await browser.go(sent.url) };
}

/** Signs in at the demo bank's page; stops at Kapı's callback when asked to, else follows to the institution. */
export async function atBank(
  browser: Browser,
  bankPage: Page,
  login: string,
  password: string,
  options: { otp?: string; stopAt?: (location: string) => boolean; action?: 'login' | 'cancel' } = {},
): Promise<Page> {
  const stop = options.stopAt ?? atCallback;
  let page = await browser.submit(bankPage, { login, password, otp: options.otp ?? DEMO_OTP }, { name: 'action', value: options.action ?? 'login' }, stop);
  if (!stop(page.url) && page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, stop);
  return page;
}

/** Whole journey: chooser → bank → sign in → back; returns the last page and the authorization URL. */
export async function bankJourney(
  browser: Browser,
  start: string,
  bankId: string,
  issuer: string,
  login: string,
  password: string,
  otp?: string,
): Promise<{ page: Page; authorizationUrl: string }> {
  const chooser = await toBankChooser(browser, start);
  const { authorizationUrl, page: bankPage } = await toBank(browser, chooser, bankId, issuer);
  const page = await atBank(browser, bankPage, login, password, otp === undefined ? {} : { otp });
  return { page, authorizationUrl };
}
