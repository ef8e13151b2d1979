import fc from 'fast-check';
import type { Knex } from 'knex';
import type * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser, type Page } from '../support/browser.js';
import { atCallback, authRequest } from '../support/institution.js';

// Shared pieces of the abuse tests: hostile input generators, a raw poster that keeps the browser's
// cookies, and a snapshot of the tables that must never change because of bad input.

export const ayse = DEMO_CITIZENS[0];

/** Characters that look like digits or letters but are not, and characters that should never be in input. */
const CONFUSABLES = [
  '１',
  '０',
  '٤',
  '۶',
  '𝟏',
  'О',
  'о',
  'І',
  'ı',
  'İ',
  'ß',
  'ﬁ',
  'Ａ',
  '\u200b',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u202e',
  '\u2028',
  '\u00a0',
  '\u0000',
  '\u0007',
  '\u001b',
  '\r',
  '\n',
  '\t',
  '\u007f',
  '%00',
  '%',
  '&',
  '=',
  '+',
  '"',
  "'",
  '<',
  '>',
  '\\',
  '/',
  '../',
  '${',
  '{{',
  ';',
  '--',
  ' OR 1=1',
  '😀',
  '\ud83d',
];

/** Strings a person or an attacker could type: ordinary, confusable, control characters, long. */
export const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.array(fc.constantFrom(...CONFUSABLES, '1', '0', '4', '6'), { maxLength: 30 }).map((parts) => parts.join('')),
  fc.constantFrom('10000000146', '１００００００００１４６', '10000000146\u0000', ' 10000000146 ', '1000000014６', '١٠٠٠٠٠٠٠١٤٦', '99999999999', '00000000000'),
  fc.integer({ min: 1000, max: 12_000 }).map((n) => 'x'.repeat(n)),
);

/** Percent-encodes any string, lone surrogates included (they become U+FFFD, as a browser sends them). */
export const enc = (v: string) => encodeURIComponent(v.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

/** One form field as raw urlencoded text, in the shapes a parser may turn into arrays or objects. */
export const hostileField = (name: string) =>
  fc.oneof(
    hostileString.map((v) => `${name}=${enc(v)}`),
    fc.tuple(hostileString, hostileString).map(([a, b]) => `${name}=${enc(a)}&${name}=${enc(b)}`),
    hostileString.map((v) => `${name}[x]=${enc(v)}`),
    hostileString.map((v) => `${name}[]=${enc(v)}`),
    fc.constant(`${name}`),
    fc.constant(`${name}=%E0%A4%A`), // broken percent-encoding
    fc.constant(''),
  );

export const hostileContentType = fc.constantFrom(
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=latin1',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/xml',
  '',
);

/** POSTs a raw body with the browser's cookies; returns status, content type and body text. */
export async function rawPost(
  browser: Browser,
  url: string,
  body: string | Uint8Array,
  contentType: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; text: string }> {
  const target = new URL(url);
  const cookie = [...(browser.cookies.get(target.host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(target, {
    method: 'POST',
    redirect: 'manual',
    body: body as BodyInit,
    headers: { ...(contentType ? { 'content-type': contentType } : {}), ...(cookie ? { cookie } : {}), ...headers },
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** A browser at the password form of a fresh interaction: the form's action and CSRF token. */
export async function atPasswordForm(
  rp: client.Configuration,
  params: Record<string, string> = {},
): Promise<{ browser: Browser; page: Page; action: string; csrf: string }> {
  const browser = new Browser();
  const page = await browser.go((await authRequest(rp, params)).url.href, {}, atCallback);
  const action = /<form[^>]*action="([^"]+)"/.exec(page.html)?.[1];
  const csrf = /name="_csrf"[^>]*value="([^"]+)"/.exec(page.html)?.[1];
  if (!action || !csrf) throw new Error(`no password form at ${page.url}: ${page.status}\n${page.html.slice(0, 1000)}`);
  return { browser, page, action: new URL(action.replace(/&amp;/g, '&'), page.url).href, csrf };
}

/** A browser at the consent page (the institution has never been approved by Ayşe). */
export async function atConsent(rp: client.Configuration): Promise<{ browser: Browser; page: Page; action: string; csrf: string }> {
  const form = await atPasswordForm(rp, { prompt: 'consent' });
  const page = await form.browser.submit(form.page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' }, atCallback);
  if (!page.html.includes('name="decision"')) throw new Error(`expected the consent page, got ${page.status} ${page.url}`);
  const action = /<form[^>]*action="([^"]+)"/.exec(page.html)![1]!;
  const csrf = /name="_csrf"[^>]*value="([^"]+)"/.exec(page.html)![1]!;
  return { browser: form.browser, page, action: new URL(action.replace(/&amp;/g, '&'), page.url).href, csrf };
}

/** Row counts of the tables bad input must never touch (accounts, credentials, consents, clients). */
export async function durableCounts(db: Knex): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['accounts', 'password_credentials', 'consents', 'clients', 'signing_keys']) {
    const [row] = await db(table).count<{ count: string | number }[]>({ count: '*' });
    out[table] = Number(row?.count ?? 0);
  }
  return out;
}

/** The answer every hostile request must get: a 4xx (or an ordinary page), never a 5xx. */
export function isCleanAnswer(status: number): boolean {
  return status >= 200 && status < 500;
}

export const FUZZ = { runs: Number(process.env.KAPI_FUZZ_RUNS ?? 100), seed: process.env.KAPI_FUZZ_SEED ? Number(process.env.KAPI_FUZZ_SEED) : undefined };
