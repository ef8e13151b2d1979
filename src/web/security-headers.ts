import type { Middleware } from 'koa';

/** Headers every response gets; pages add their own Content-Security-Policy (src/web/render.ts). */
export const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
  ['X-Frame-Options', 'DENY'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()'],
];

/** Sent only when the issuer is https (a browser ignores it over http anyway). */
export const STRICT_TRANSPORT_SECURITY = ['Strict-Transport-Security', 'max-age=63072000; includeSubDomains'] as const;

export function securityHeaders(options: { hsts: boolean }): Middleware {
  return async (ctx, next) => {
    for (const [name, value] of SECURITY_HEADERS) ctx.set(name, value);
    if (options.hsts) ctx.set(...STRICT_TRANSPORT_SECURITY);
    await next();
  };
}
