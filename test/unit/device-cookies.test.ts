import { describe, expect, it } from '@jest/globals';
import { DeviceCookies } from '../../src/security/device-cookies.js';

const KEY = Buffer.from('device-cookie-test-key-0123456789');
const AYSE = '10000000146';
const MEHMET = '12345678950';
const DAY = 86_400_000;

describe('device cookies (OWASP): signed tokens bound to an identity number', () => {
  const cookies = new DeviceCookies(KEY, { lifetimeDays: 30 });

  it('gives a device id for the number it was issued for, and none for another number', () => {
    const value = cookies.issue(undefined, AYSE);
    expect(cookies.deviceFor(value, AYSE)).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(cookies.deviceFor(value, '100 000 001 46')).toBe(cookies.deviceFor(value, AYSE));
    expect(cookies.deviceFor(value, MEHMET)).toBeUndefined();
    expect(value).not.toContain(AYSE);
  });

  it("keeps the device id of a person across sign-ins, and keeps other people's tokens beside it", () => {
    const first = cookies.issue(undefined, AYSE);
    const both = cookies.issue(first, MEHMET);
    const again = cookies.issue(both, AYSE);
    expect(cookies.deviceFor(again, AYSE)).toBe(cookies.deviceFor(first, AYSE));
    expect(cookies.deviceFor(again, MEHMET)).toBe(cookies.deviceFor(both, MEHMET));
  });

  it('refuses altered, forged and foreign-key tokens', () => {
    const value = cookies.issue(undefined, AYSE);
    const [subject, device, issued, mac] = value.split('.');
    expect(cookies.deviceFor(`${subject}.${'x'.repeat(16)}.${issued}.${mac}`, AYSE)).toBeUndefined();
    expect(cookies.deviceFor(`${subject}.${device}.${issued}.${mac!.slice(0, -1)}${mac!.endsWith('A') ? 'B' : 'A'}`, AYSE)).toBeUndefined();
    expect(
      cookies.deviceFor(new DeviceCookies(Buffer.from('another-key-of-some-other-kapi-00'), { lifetimeDays: 30 }).issue(undefined, AYSE), AYSE),
    ).toBeUndefined();
    expect(cookies.deviceFor('garbage', AYSE)).toBeUndefined();
    expect(cookies.deviceFor('x'.repeat(5000), AYSE)).toBeUndefined();
  });

  it('drops tokens past their lifetime, and tokens from the future', () => {
    const now = Date.now();
    const old = cookies.issue(undefined, AYSE, now - 31 * DAY);
    expect(cookies.deviceFor(old, AYSE, now)).toBeUndefined();
    expect(cookies.deviceFor(cookies.issue(undefined, AYSE, now + DAY), AYSE, now)).toBeUndefined();
    // A sign-in gives an expired person a new device id.
    expect(cookies.deviceFor(cookies.issue(old, AYSE, now), AYSE, now)).not.toBe(cookies.deviceFor(old, AYSE, now - 31 * DAY));
  });

  it('holds at most five people, the most recent ones', () => {
    const numbers = ['10000000146', '12345678950', '10090908018', '23654859046', '56789123416', '34567891238'];
    let value: string | undefined;
    for (const n of numbers) value = cookies.issue(value, n);
    expect(cookies.deviceFor(value, numbers[0]!)).toBeUndefined();
    for (const n of numbers.slice(1)) expect(cookies.deviceFor(value, n)).toBeDefined();
    expect(value!.length).toBeLessThan(600);
  });
});
