import type { Context } from 'koa';
import type { Config } from '../config.js';
import { deriveKey } from '../security/crypto.js';
import { DEVICE_COOKIE, DeviceCookies } from '../security/device-cookies.js';

// The device cookie (src/security/device-cookies.ts) on Koa: read on every limited guess, set after
// every successful sign-in. HttpOnly (no script reads it), SameSite=Lax, Secure whenever the request
// came over https (directly or from a trusted proxy), host-only, for the whole site: the login pages,
// the account pages and the reset pages all count guesses with it.

const byConfig = new WeakMap<Config, DeviceCookies>();

/** The process's device cookies, keyed from the master key. */
export function deviceCookies(config: Config): DeviceCookies {
  let cookies = byConfig.get(config);
  if (!cookies)
    byConfig.set(config, (cookies = new DeviceCookies(deriveKey(config.masterKey, 'device-cookie'), { lifetimeDays: config.limits.deviceCookieDays })));
  return cookies;
}

/** This browser's own device id for the identity number, or undefined (a stranger's browser). */
export function deviceOf(ctx: Context, cookies: DeviceCookies, nationalId: string): string | undefined {
  return cookies.deviceFor(ctx.cookies.get(DEVICE_COOKIE), nationalId);
}

/** After a successful sign-in: the browser keeps (or gets) its device token for this person. */
export function rememberDevice(ctx: Context, cookies: DeviceCookies, nationalId: string): void {
  ctx.cookies.set(DEVICE_COOKIE, cookies.issue(ctx.cookies.get(DEVICE_COOKIE), nationalId), {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    signed: false, // the tokens carry their own HMAC
    overwrite: true,
    path: '/',
    maxAge: cookies.lifetimeSeconds * 1000,
  });
}
