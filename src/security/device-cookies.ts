import { randomBytes } from 'node:crypto';
import { constantTimeEqual, hmac } from './crypto.js';

// OWASP's "device cookies" against account lock-out (Slow Down Online Guessing Attacks with Device
// Cookies): after a successful sign-in the browser gets a signed token bound to that identity number.
// A guess from a browser holding a valid token for the number it guesses counts against that token's
// own allowance; every other browser shares the strangers' limits. A stranger can exhaust the
// strangers' allowance and lock them out, never the owner's own browsers (DESIGN.md, third round,
// "The owner is never locked out by strangers").
//
// One cookie holds the tokens of the few people who signed in with this browser (a family computer),
// newest first. A token is `subject.device.issued.mac`:
//   subject  the first 22 characters (128 bits) of an HMAC of the identity number: the number itself
//            never sits in the cookie;
//   device   16 random characters (96 bits): the key of this browser's own allowance;
//   issued   the issue time (seconds, base 36): tokens older than the lifetime are dropped;
//   mac      HMAC-SHA-256 of the rest under a key derived from the master key (first 32 characters).
// The browser cannot make or move a token: a forged, altered or another person's token gives nothing.

export const DEVICE_COOKIE = 'kapi_device';
const MAX_TOKENS = 5;
const SEPARATOR = '~';
const TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{16})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{32})$/;

interface Token {
  subject: string;
  device: string;
  issued: number;
  raw: string;
}

export class DeviceCookies {
  readonly #key: Buffer;
  readonly lifetimeSeconds: number;

  constructor(key: Buffer, options: { lifetimeDays: number }) {
    if (key.length < 16) throw new Error('device cookie key must be at least 16 bytes');
    this.#key = key;
    this.lifetimeSeconds = options.lifetimeDays * 86_400;
  }

  /** The browser's own device id for this identity number, when its cookie holds a valid token for it. */
  deviceFor(cookie: string | undefined, nationalId: string, now = Date.now()): string | undefined {
    const subject = this.#subject(nationalId);
    return this.#tokens(cookie, now).find((t) => t.subject === subject)?.device;
  }

  /**
   * The cookie's value after a successful sign-in of this identity number: the browser keeps its device
   * id for the person (a lock of its own allowance stays with it) and the token is issued anew; other
   * people's tokens stay, the oldest beyond five go.
   */
  issue(cookie: string | undefined, nationalId: string, now = Date.now()): string {
    const subject = this.#subject(nationalId);
    const tokens = this.#tokens(cookie, now);
    const device = tokens.find((t) => t.subject === subject)?.device ?? randomBytes(12).toString('base64url');
    const issued = Math.floor(now / 1000).toString(36);
    const body = `${subject}.${device}.${issued}`;
    const fresh = `${body}.${this.#mac(body)}`;
    return [fresh, ...tokens.filter((t) => t.subject !== subject).map((t) => t.raw)].slice(0, MAX_TOKENS).join(SEPARATOR);
  }

  #tokens(cookie: string | undefined, now: number): Token[] {
    if (!cookie || cookie.length > 1024) return [];
    const out: Token[] = [];
    for (const raw of cookie.split(SEPARATOR).slice(0, MAX_TOKENS)) {
      const m = TOKEN.exec(raw);
      if (!m) continue;
      const [, subject, device, issuedText, mac] = m as unknown as [string, string, string, string, string];
      if (!constantTimeEqual(mac, this.#mac(`${subject}.${device}.${issuedText}`))) continue;
      const issued = Number.parseInt(issuedText, 36);
      if (issued * 1000 > now + 60_000 || now / 1000 - issued > this.lifetimeSeconds) continue;
      out.push({ subject, device, issued, raw });
    }
    return out;
  }

  #subject(nationalId: string): string {
    return hmac(this.#key, `nid:${nationalId.replace(/\s+/g, '')}`).slice(0, 22);
  }

  #mac(body: string): string {
    return hmac(this.#key, `token:${body}`).slice(0, 32);
  }
}
