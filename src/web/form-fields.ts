import type { Context } from 'koa';
import { KapiError } from '../errors.js';

/**
 * The fields of a posted page form (account pages, sign-in pages), as strings: anything else (arrays,
 * objects from `a[]=`/`a[x]=`) is dropped and each value is cut at `maxLength`. A NUL character is never
 * part of anything a person types, and Postgres refuses it in text: such a form is a bad request here,
 * before any field reaches a query (found by fuzzing: a client_id ending in %00 was a 500).
 */
export function formFields(ctx: Context, maxLength = 1024): Record<string, string> {
  const body = (ctx.request as unknown as { body?: Record<string, unknown> }).body ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v !== 'string') continue;
    if (v.includes('\u0000')) throw new KapiError('invalid_request', `form field ${k.slice(0, 40)} holds a NUL character`);
    out[k] = v.slice(0, maxLength);
  }
  return out;
}
