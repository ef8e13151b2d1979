import type * as client from 'openid-client';
import { Browser, type Page } from '../support/browser.js';
import { atCallback, authRequest, exchange, type AuthRequest } from '../support/institution.js';

// The traffic the drills run against Kapı while its stores fail over: whole sign-ins through the
// hosted pages, code redemptions (each code is tried twice: the second must always fail), and
// wrong-password guesses. Each outcome is a short string a drill can count.

export interface Outcome {
  at: number;
  result: string;
}

export function describeError(err: unknown): string {
  const e = err as { status?: number; error?: string; message?: string; cause?: { status?: number } };
  return `oauth ${e.status ?? e.cause?.status ?? '?'} ${e.error ?? e.message}`;
}

/** Sign-in up to the callback; returns the page at the callback, or the status of the page that stopped it. */
export async function signInPage(browser: Browser, req: AuthRequest, person: { nationalId: string; password: string }): Promise<Page | string> {
  let page = await browser.go(req.url.href, {}, atCallback);
  if (atCallback(page.url)) return page;
  if (!page.html.includes('name="national_id"')) return `page ${page.status}`;
  page = await browser.submit(page, { national_id: person.nationalId, password: person.password }, { name: 'submit', value: 'login' }, atCallback);
  if (!atCallback(page.url) && page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
  return atCallback(page.url) ? page : `page ${page.status}`;
}

/**
 * One sign-in and its code redeemed; then the same code once more, which must be refused. Returns 'ok',
 * or what stopped it; a code accepted twice is returned as 'REDEEMED TWICE'.
 */
export async function signInAndRedeem(
  rp: client.Configuration,
  person: { nationalId: string; password: string },
  redeemed: string[],
  params: Record<string, string> = { scope: 'openid profile' },
  options: { replay?: boolean } = {},
): Promise<string> {
  try {
    const req = await authRequest(rp, params);
    const page = await signInPage(new Browser(), req, person);
    if (typeof page === 'string') return page;
    await exchange(rp, req, page.url);
    redeemed.push(JSON.stringify({ url: page.url, req: { ...req, url: req.url.href } }));
    return options.replay === false ? 'ok' : await redeemAgain(rp, page.url, req);
  } catch (err) {
    return describeError(err);
  }
}

/** A code that was redeemed once, presented again: must be invalid_grant. */
export async function redeemAgain(rp: client.Configuration, callbackUrl: string, req: AuthRequest): Promise<string> {
  try {
    await exchange(rp, req, callbackUrl);
    return 'REDEEMED TWICE';
  } catch (err) {
    const e = err as { error?: string };
    return e.error === 'invalid_grant' ? 'ok' : `second redemption: ${describeError(err)}`;
  }
}

/** Every code recorded by signInAndRedeem, presented once more: the outcomes that are not invalid_grant. */
export async function redeemAllAgain(rp: client.Configuration, redeemed: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const entry of redeemed) {
    const { url, req } = JSON.parse(entry) as { url: string; req: AuthRequest & { url: string } };
    const outcome = await redeemAgain(rp, url, { ...req, url: new URL(req.url) });
    if (outcome !== 'ok') problems.push(outcome);
  }
  return problems;
}

/** One wrong-password attempt from a fresh browser (a stranger): the status of the answer. */
export async function wrongPassword(rp: client.Configuration, nationalId: string, password = 'Not-The-Password-1'): Promise<number> {
  const browser = new Browser();
  const req = await authRequest(rp, { scope: 'openid' });
  const form = await browser.go(req.url.href, {}, atCallback);
  if (!form.html.includes('name="national_id"')) return atCallback(form.url) ? 302 : form.status;
  const page = await browser.submit(form, { national_id: nationalId, password }, { name: 'submit', value: 'login' }, atCallback);
  return atCallback(page.url) ? 302 : page.status;
}

/** Runs `step` in `workers` loops until `running()` is false, recording each outcome with the time it ended. */
export function keepRunning(workers: number, running: () => boolean, step: () => Promise<string>, outcomes: Outcome[]): Promise<void[]> {
  return Promise.all(
    Array.from({ length: workers }, async () => {
      while (running()) {
        const result = await step();
        outcomes.push({ at: Date.now(), result }); // when the attempt ended: outcomes stay in time order
      }
    }),
  );
}

/** From the first failed outcome to the last one (ms); 0 when nothing failed. */
export function failureWindow(outcomes: Outcome[]): number {
  const failed = outcomes.filter((o) => o.result !== 'ok');
  if (failed.length === 0) return 0;
  return failed[failed.length - 1]!.at - failed[0]!.at;
}

/** The longest time without a completed sign-in from `at` on (ms): the outage as the people saw it. */
export function serviceGap(outcomes: Outcome[], at: number): number {
  const oks = outcomes.filter((o) => o.result === 'ok').map((o) => o.at);
  let longest = 0;
  for (let i = 1; i < oks.length; i++) if (oks[i]! > at) longest = Math.max(longest, oks[i]! - oks[i - 1]!);
  return oks.some((t) => t > at) ? longest : Number.POSITIVE_INFINITY;
}

export function tally(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.result] = (counts[o.result] ?? 0) + 1;
  return counts;
}
