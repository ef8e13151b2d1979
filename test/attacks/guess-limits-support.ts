import { decode, type Browser, type Page } from '../support/browser.js';
import type { TestKapi } from '../support/kapi.js';

// Helpers of the guess-limit attack suites: a form read once and posted many times at once (the
// attacker's parallel requests on one interaction or one page), and the counts the tests compare.

export interface Form {
  action: string;
  fields: Record<string, string>;
}

/** The form holding the named button (or the only form): its address and hidden fields. */
export function formOf(page: Page, button?: { name: string; value?: string }): Form {
  const forms = [...page.html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)];
  const form = button ? forms.find((f) => new RegExp(`name="${button.name}"${button.value ? `[^>]*value="${button.value}"` : ''}`).test(f[2]!)) : forms[0];
  if (!form) throw new Error(`no form on ${page.url} (${page.status}):\n${page.html.slice(0, 1500)}`);
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields[input[1]!] = decode(input[2]!);
  if (button) fields[button.name] = button.value ?? '';
  return { action: new URL(decode(form[1]!), page.url).href, fields };
}

export interface Answer {
  status: number;
  location: string | null;
  html: string;
}

/** Posts the form once per entry of `variants`, all at once, from the same browser (same cookies). */
export async function postAll(browser: Browser, form: Form, variants: Array<Record<string, string>>, headers: Record<string, string> = {}): Promise<Answer[]> {
  return Promise.all(
    variants.map(async (fields) => {
      const res = await browser.request(form.action, { form: { ...form.fields, ...fields }, headers });
      return { status: res.status, location: res.headers.get('location'), html: await res.text() };
    }),
  );
}

/** `n` copies of the same fields. */
export function times(n: number, fields: Record<string, string>): Array<Record<string, string>> {
  return Array.from({ length: n }, () => ({ ...fields }));
}

/** How often each status came back, e.g. { 401: 5, 429: 5 }. */
export function statusCounts(answers: Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
}

/** argon2 verifications the running Kapı has made so far (kapi_password_verifications_total). */
export function verifications(t: TestKapi): number {
  return t.kapi.services.hasher.verifications;
}

/** Recorded evaluations of second-stage codes for an account: each wrong code, and the one that locked the step. */
export async function evaluatedCodes(t: TestKapi, accountId: string, method: string): Promise<number> {
  const rows = await t.kapi.services.db('sign_ins').where({ account_id: accountId, method }).whereIn('result', ['invalid_code', 'second_factor_locked']);
  return rows.length;
}
