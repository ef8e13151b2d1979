import { createHash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import { basic, form, FORM, Jar, request } from './http.js';

// One citizen's authorization code + PKCE flow over HTTP, the way a browser and an institution run it:
// /auth, the hosted password page, the consent page when asked, the redirect back with the code, the
// token request (client_secret_basic) and userinfo. Each call starts with an empty cookie jar.

export interface RelyingParty {
  issuer: string;
  clientId: string;
  clientSecret: string;
  callback: string;
}

export interface LoginOptions {
  nationalId: string;
  password: string;
  scope: string;
  prompt?: string;
  userinfo?: boolean;
  /** Called after each request with its method and path (a per-request probe hooks in here). */
  afterRequest?: (label: string) => void;
  /** Called with the status of every answer (the soak counts 5xx answers second by second). */
  onAnswer?: (status: number) => void;
  /** Extra headers for the n-th request of the flow (0-based; the previous-release drill routes each to a process). */
  headersFor?: (n: number) => Record<string, string>;
}

export interface LoginResult {
  tokens: { access_token: string; id_token?: string; refresh_token?: string };
  jar: Jar;
  requests: number;
}

const b64url = (b: Buffer) => b.toString('base64url');

function decode(value: string): string {
  return value
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x2F;/g, '/');
}

function hiddenFields(formHtml: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of formHtml.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) out[m[1]!] = decode(m[2]!);
  return out;
}

/** The form to submit on a hosted page and the fields to add, or undefined for an unknown page. */
function nextForm(html: string, opts: LoginOptions): { action: string; fields: Record<string, string> } | undefined {
  for (const m of html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const [, action, inner] = m as unknown as [string, string, string];
    if (inner.includes('name="national_id"'))
      return { action: decode(action), fields: { ...hiddenFields(inner), national_id: opts.nationalId, password: opts.password, submit: 'login' } };
    if (/name="decision"[^>]*value="allow"/.test(inner)) return { action: decode(action), fields: { ...hiddenFields(inner), decision: 'allow' } };
  }
  // The method chooser (more than one method is offered): the citizen picks the password.
  for (const m of html.matchAll(/<form[^>]*action="([^"]*\/method\/password)"[^>]*>([\s\S]*?)<\/form>/g)) {
    return { action: decode(m[1]!), fields: { ...hiddenFields(m[2]!), method: 'password' } };
  }
  return undefined;
}

export async function login(agent: http.Agent, rp: RelyingParty, opts: LoginOptions): Promise<LoginResult> {
  const jar = new Jar();
  const verifier = b64url(randomBytes(32));
  const params: Record<string, string> = {
    client_id: rp.clientId,
    redirect_uri: rp.callback,
    response_type: 'code',
    scope: opts.scope,
    state: b64url(randomBytes(12)),
    nonce: b64url(randomBytes(12)),
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  };
  if (opts.prompt) params.prompt = opts.prompt;
  let url = new URL(`${rp.issuer}/auth?${form(params)}`);
  let init: { method?: string; body?: string } = {};
  let code: string | undefined;
  let requests = 0;
  for (let hop = 0; hop < 16 && !code; hop++) {
    const headers: Record<string, string> = { 'user-agent': 'kapi-bench/1.0', 'accept-language': 'tr', ...opts.headersFor?.(requests) };
    const cookie = jar.header();
    if (cookie) headers.cookie = cookie;
    if (init.body !== undefined) headers['content-type'] = FORM;
    const res = await request(agent, url, { ...init, headers });
    opts.onAnswer?.(res.status);
    requests++;
    opts.afterRequest?.(`${init.method ?? 'GET'} ${url.pathname.replace(/\/(interaction|auth)\/[^/]+/, '/$1/:uid')}`);
    jar.store(res.headers);
    if (res.status >= 300 && res.status < 400 && res.headers.location) {
      const next = new URL(res.headers.location, url);
      if (next.href.startsWith(rp.callback)) {
        code = next.searchParams.get('code') ?? undefined;
        if (!code) throw new Error(`no code at the callback: ${next.search}`);
        break;
      }
      url = next;
      init = {};
      continue;
    }
    const submit = res.status === 200 ? nextForm(res.body, opts) : undefined;
    if (!submit) throw new Error(`unexpected page ${res.status} at ${url.pathname}: ${res.body.replace(/\s+/g, ' ').slice(0, 300)}`);
    url = new URL(submit.action, url);
    init = { method: 'POST', body: form(submit.fields) };
  }
  if (!code) throw new Error('too many redirects');

  const tokenRes = await request(agent, `${rp.issuer}/token`, {
    method: 'POST',
    headers: { authorization: basic(rp.clientId, rp.clientSecret), 'content-type': FORM, ...opts.headersFor?.(requests) },
    body: form({ grant_type: 'authorization_code', code, redirect_uri: rp.callback, code_verifier: verifier }),
  });
  opts.onAnswer?.(tokenRes.status);
  requests++;
  opts.afterRequest?.('POST /token');
  if (tokenRes.status !== 200) throw new Error(`token ${tokenRes.status}: ${tokenRes.body.slice(0, 300)}`);
  const tokens = JSON.parse(tokenRes.body) as LoginResult['tokens'];
  if (!tokens.id_token) throw new Error('no id_token in the token response');
  if (opts.userinfo !== false) {
    const me = await request(agent, `${rp.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}`, ...opts.headersFor?.(requests) } });
    opts.onAnswer?.(me.status);
    requests++;
    opts.afterRequest?.('GET /me');
    if (me.status !== 200) throw new Error(`userinfo ${me.status}: ${me.body.slice(0, 300)}`);
  }
  return { tokens, jar, requests };
}
