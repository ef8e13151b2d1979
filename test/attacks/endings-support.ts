import { request as httpRequest } from 'node:http';
import type * as client from 'openid-client';
import type { Browser, Page } from '../support/browser.js';
import { atCallback, authRequest, CALLBACK, exchange, type AuthRequest } from '../support/institution.js';
import type { TestKapi } from '../support/kapi.js';

// The attacker of the endings suite: someone who holds a copy of a citizen's Kapı session cookie and
// keeps asking an institution for silent sign-ins (prompt=none) with it, several requests at a time,
// while the citizen (or the office, or Kapı itself) ends that session.

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The Cookie header a browser sends to Kapı (the stolen copy). */
export function cookieHeaderOf(t: TestKapi, browser: Browser): string {
  const jar = browser.cookies.get(new URL(t.issuer).host) ?? new Map<string, string>();
  return [...jar.entries()].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** The session cookie's id (oidc-provider's jti, which rotates) and the session's stable uid. */
export async function sessionOf(t: TestKapi, browser: Browser): Promise<{ jti: string; uid: string }> {
  const jti = browser.cookies.get(new URL(t.issuer).host)?.get('kapi_session');
  if (!jti) throw new Error('the browser holds no Kapı session');
  const payload = await new t.kapi.services.adapter('Session').find(jti);
  if (typeof payload?.uid !== 'string') throw new Error('the session cookie names no stored session');
  return { jti, uid: payload.uid };
}

export interface SilentAnswer {
  /** When the request was sent and answered (Date.now()). */
  sent: number;
  answered: number;
  request: AuthRequest;
  /** The authorization code of a silent sign-in that worked, or the error of one that did not. */
  code?: string;
  error?: string;
  callback?: string;
}

export interface SilentLoop {
  /** What the loop got so far (grows while it runs). */
  readonly answers: SilentAnswer[];
  /** Stops sending and waits for the requests still in flight. */
  stop(): Promise<SilentAnswer[]>;
}

/** One silent authorization request with the stolen cookie. */
export async function silentSignIn(t: TestKapi, cookie: string, rp: client.Configuration, scope = 'openid profile'): Promise<SilentAnswer> {
  const request = await authRequest(rp, { prompt: 'none', scope });
  const sent = Date.now();
  const res = await fetch(request.url, { headers: { cookie, 'user-agent': 'stolen-cookie/1.0' }, redirect: 'manual' });
  await res.arrayBuffer();
  const location = res.headers.get('location') ?? '';
  const answered = Date.now();
  if (!location.startsWith(CALLBACK)) return { sent, answered, request, error: `status ${res.status} to ${location || 'nowhere'}` };
  const params = new URL(location).searchParams;
  return { sent, answered, request, callback: location, ...(params.get('code') ? { code: params.get('code')! } : { error: params.get('error') ?? 'none' }) };
}

/** `workers` loops of silent sign-ins with the stolen cookie, each sending its next request as soon as the last is answered. */
export function loopSilentSignIns(t: TestKapi, cookie: string, rp: client.Configuration, workers = 4, scope?: string): SilentLoop {
  let running = true;
  const answers: SilentAnswer[] = [];
  const loops = Array.from({ length: workers }, async () => {
    while (running) answers.push(await silentSignIn(t, cookie, rp, scope));
  });
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(loops);
      return answers;
    },
  };
}

export interface HeldRequests {
  /** Sends the last byte of each request and waits for the answers (their status codes). */
  release(): Promise<number[]>;
}

/**
 * Requests that are certainly in flight: each is a POST to the logout confirmation with a made-up
 * `xsrf`, whose last byte of body is held back. oidc-provider loads the session before it reads the
 * body, and saves it at the end of the request whatever the answer (here a refusal), so each holds the
 * session as it was and writes it when let go, after whatever happened meanwhile.
 */
export async function holdRequests(t: TestKapi, cookie: string, count: number): Promise<HeldRequests> {
  const held = Array.from({ length: count }, () => {
    const body = 'xsrf=made-up-by-the-attacker&logout=';
    const req = httpRequest(`${t.issuer}/session/end/confirm`, {
      method: 'POST',
      headers: {
        cookie,
        'user-agent': 'stolen-cookie/1.0',
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(Buffer.byteLength(body)),
      },
    });
    const answered = new Promise<number>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
    });
    req.write(body.slice(0, -1));
    return { req, last: body.slice(-1), answered };
  });
  // Long enough for each request to have reached Kapı and loaded the session.
  await sleep(300);
  return {
    async release() {
      for (const h of held) h.req.end(h.last);
      return Promise.all(held.map((h) => h.answered));
    },
  };
}

/** Whether a code can still be exchanged for tokens. */
export async function redeemable(rp: client.Configuration, answer: SilentAnswer): Promise<boolean> {
  try {
    await exchange(rp, answer.request, answer.callback!);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs an ending while the attacker's requests are in flight: the loop is started and seen to get codes
 * first, two held requests have loaded the session, the ending runs, the held requests are let go (and
 * write the session as they loaded it, unless Kapı refuses), the
 * loop keeps going for a while after the ending returned, then stops. Everything the attacker got is
 * given back with the moment the ending returned.
 */
export async function endWhileLooping(
  t: TestKapi,
  cookie: string,
  rp: client.Configuration,
  ending: () => Promise<unknown>,
  options: { workers?: number; scope?: string } = {},
): Promise<{ answers: SilentAnswer[]; endedAt: number }> {
  const loop = loopSilentSignIns(t, cookie, rp, options.workers ?? 8, options.scope);
  // Wait until the stolen session is seen working: the race is real only if codes were being issued.
  const deadline = Date.now() + 10_000;
  while (!loop.answers.some((a) => a.code) && Date.now() < deadline) await sleep(20);
  if (!loop.answers.some((a) => a.code)) {
    await loop.stop();
    throw new Error('the stolen session never signed in silently: nothing to race');
  }
  const held = await holdRequests(t, cookie, 2);
  try {
    await ending();
  } catch (err) {
    await Promise.all([loop.stop(), held.release()]);
    throw err;
  }
  const endedAt = Date.now();
  await held.release();
  await sleep(400);
  return { answers: await loop.stop(), endedAt };
}

/** Signs in at the institution with identity number and password (consenting when asked); the browser then holds a session. */
export async function signInAt(browser: Browser, rp: client.Configuration, citizen: { nationalId: string; password: string }, scope?: string): Promise<Page> {
  const start = (await authRequest(rp, scope ? { scope } : {})).url.href;
  let page = await browser.go(start, {}, atCallback);
  if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' }, atCallback);
  if (page.html.includes('name="national_id"'))
    page = await browser.submit(page, { national_id: citizen.nationalId, password: citizen.password }, { name: 'submit', value: 'login' }, atCallback);
  if (!atCallback(page.url) && page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
  if (!atCallback(page.url)) throw new Error(`expected the institution's callback, got ${page.status} ${page.url}\n${page.html.slice(0, 800)}`);
  return page;
}
