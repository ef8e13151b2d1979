import type { Context } from 'koa';
import { KapiError } from '../errors.js';

type Fields = Record<string, string>;

/**
 * The fields of a posted page form (account pages and sign-in pages), as strings: anything else
 * (arrays and objects from `a[]=` or `a[x]=`) is dropped and each value is cut at `maxLength`.
 *
 * `verify` (the form's CSRF check) sees the fields first, so a forged post is refused as forged (403)
 * whatever it holds. Then a NUL character is refused with a 400: nobody types one, and Postgres
 * refuses it in text (found by fuzzing: a client_id ending in %00 was a 500 on an account form).
 */
export function formFields(ctx: Context, verify?: (fields: Fields) => void, maxLength = 1024): Fields {
  const body = (ctx.request as unknown as { body?: Record<string, unknown> }).body ?? {};
  const out: Fields = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v.slice(0, maxLength);
  verify?.(out);
  for (const [k, v] of Object.entries(out)) {
    if (v.includes('\u0000')) throw new KapiError('invalid_request', `form field ${k.slice(0, 40)} holds a NUL character`);
  }
  return out;
}
