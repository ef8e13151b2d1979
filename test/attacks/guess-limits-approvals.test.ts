import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as client from 'openid-client';
import type { DeviceClient } from '../../src/device-client/client.js';
import { Browser, type Page } from '../support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { appToken, approvalFor, citizen, numberOn, password, registerDevice, setTwoFactor } from '../../interactions/second-factor/test/support.js';
import { formOf, postAll, times } from './guess-limits-support.js';
import { secondFactorModule } from '../../interactions/second-factor/index.js';

jest.setTimeout(180_000);

// Issue 25 point 3, "approvals can be farmed". With the password alone a stranger tries to open device
// approvals without end, hoping the owner approves one by reflex. Each approval takes its points per
// sign-in and per account before anything is pushed; a wrong number or a denial on the phone locks the
// device step and warns the owner; the number is typed, not picked. The owner's own browser (device
// cookie) keeps its own allowance and is never locked by what strangers did.

interface Person {
  nationalId: string;
  password: string;
  phone: string;
  device: DeviceClient;
  pushToken: string;
}

describe('attack: farming device approvals with a stolen password', () => {
  let t: TestKapi;
  let rp: client.Configuration;

  beforeAll(async () => {
    // The defaults: 3 approvals per sign-in, 10 per account in 15 minutes, a 15-minute lock.
    t = await startKapi({ guessLimits: { lockAfter: 1000, delayAfter: 1000, ipLimit: 100_000, prefixLimit: 100_000 } });
    rp = await relyingParty(t, await registerInstitution(t));
  });
  afterAll(async () => t?.stop());

  /** A citizen with two-factor authentication on and a registered device (registered through the app's own sign-in). */
  async function withDevice(nationalId: string, phone: string): Promise<Person> {
    const person = await citizen(t, nationalId, `Cihazli-Sifre-${nationalId.slice(-4)}`, phone, 'substantial');
    await setTwoFactor(t, nationalId, true);
    const pushToken = `push-${nationalId}`;
    const device = await registerDevice(t, await appToken(t, person), 'Telefonum', pushToken);
    return { ...person, device, pushToken };
  }

  const pushes = (person: Person, type = 'approval') =>
    t.kapi
      .exportsOf(secondFactorModule)
      .pushOutbox!.list(person.pushToken)
      .filter((p) => p.data.type === type).length;

  /** Password in a fresh (stranger's) or given browser: the device step, or its refusal. */
  async function toDeviceStep(person: Person, browser = new Browser()): Promise<Page> {
    return password(browser, (await authRequest(rp, { prompt: 'login' })).url.href, person.nationalId, person.password);
  }

  it('60 parallel "send again" posts on one sign-in open at most 3 approvals: the phone gets 3 pushes, not 61', async () => {
    const ismail = await withDevice('23654859046', '+905324440000');
    const browser = new Browser();
    const page = await toDeviceStep(ismail, browser);
    expect(page.html).toContain('id="approval-number"');
    const answers = await postAll(browser, formOf(page, { name: 'action', value: 'continue' }), times(60, { action: 'retry' }));
    expect(pushes(ismail)).toBe(3);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(58);
  });

  it('20 parallel sign-ins with the password open at most 10 approvals for the account in 15 minutes', async () => {
    const cagla = await withDevice('10090908018', '+905321230000');
    const pages = await Promise.all(Array.from({ length: 20 }, () => toDeviceStep(cagla)));
    expect(pushes(cagla)).toBe(10);
    expect(pages.filter((p) => p.html.includes('id="approval-number"'))).toHaveLength(10);
    expect(pages.filter((p) => p.status === 429)).toHaveLength(10);
  });

  it('a wrong number typed on the phone locks the device step for strangers and warns the owner in the app and on her phone and e-mail', async () => {
    const emre = await withDevice('56789123416', '+905327770001');
    await t.kapi.services.db('accounts').where({ national_id: emre.nationalId }).update({ email: 'emre@example.org', email_verified: true });
    const page = await toDeviceStep(emre);
    const number = numberOn(page);
    await expect(emre.device.answer(await approvalFor(emre.device, page), 'approve', number === '42' ? '43' : '42')).rejects.toMatchObject({
      error: 'wrong_number',
    });

    const again = await toDeviceStep(emre);
    expect(again.status).toBe(429);
    expect(again.html).not.toContain('id="approval-number"');
    expect(again.html).toMatch(/cihaz onayı bu hesapta \d+ dakika kapalı/);
    // Warned: in the app, and on the verified phone and e-mail.
    expect(pushes(emre, 'alert')).toBe(1);
    const sms = t.kapi.messaging.smsOutbox!.list(emre.phone).filter((m) => m.purpose === 'notification');
    expect(sms.at(0)?.text).toMatch(/şifrenizle yapılan bir giriş cihazınızda reddedildi/);
    const mail = t.kapi.messaging.mailOutbox!.list('emre@example.org').filter((m) => m.purpose === 'notification');
    expect(mail.at(0)?.subject).toBe('Şifrenizle yapılan bir giriş reddedildi');
  });

  it("a denial locks the strangers' device step too, but never her own browser (device cookie): she still approves her own sign-in", async () => {
    const gulsen = await withDevice('34567891238', '+905551112233');
    // Her own browser: a full sign-in, so it holds her device cookie.
    const own = new Browser();
    let mine = await toDeviceStep(gulsen, own);
    expect(await gulsen.device.answer(await approvalFor(gulsen.device, mine), 'approve', numberOn(mine))).toBe('approved');
    mine = await own.submit(mine, {}, { name: 'action', value: 'continue' }, atCallback);
    if (!atCallback(mine.url)) mine = await own.submit(mine, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(atCallback(mine.url)).toBe(true);

    const stranger = await toDeviceStep(gulsen);
    expect(await gulsen.device.answer(await approvalFor(gulsen.device, stranger), 'deny')).toBe('denied');
    expect((await toDeviceStep(gulsen)).status).toBe(429);

    const hers = await toDeviceStep(gulsen, own);
    expect(hers.html).toContain('id="approval-number"');
    expect(await gulsen.device.answer(await approvalFor(gulsen.device, hers), 'approve', numberOn(hers))).toBe('approved');
    let done = await own.submit(hers, {}, { name: 'action', value: 'continue' }, atCallback);
    if (!atCallback(done.url)) done = await own.submit(done, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(atCallback(done.url)).toBe(true);
  });

  it('number matching gives a reflex tap nothing to pick: the app sees no numbers, the person types the two digits the page shows', async () => {
    const mehmet = await withDevice('12345678950', '+905320000002');
    const page = await toDeviceStep(mehmet);
    const number = numberOn(page);
    expect(number).toMatch(/^[1-9][0-9]$/);
    const approval = await approvalFor(mehmet.device, page);
    expect(approval.choices).toEqual([]);
    expect(JSON.stringify(approval)).not.toContain(`"${number}"`);
  });
});
