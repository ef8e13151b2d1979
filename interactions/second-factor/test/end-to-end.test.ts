import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as client from 'openid-client';
import { generate } from 'otplib';
import { DEMO_CITIZENS } from '../../../src/demo/seed.js';
import { DeviceApiError, DeviceClient, dpopProof, newDeviceKeys } from '../../../src/device-client/client.js';
import { Browser } from '../../../test/support/browser.js';
import { startKapi, type TestKapi } from '../../../test/support/kapi.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../../../test/support/institution.js';
import {
  appToken,
  approvalFor,
  citizen,
  phoneFromRegistry,
  signInAsApp,
  consent,
  continueWaiting,
  numberOn,
  password,
  qrOn,
  registerDevice,
  setTwoFactor,
  smsCode,
} from './support.js';
import { secondFactorModule } from '../index.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

const ayse = { ...DEMO_CITIZENS[0], phone: '+905321112233' };
const can = { nationalId: DEMO_CITIZENS[2].nationalId, password: DEMO_CITIZENS[2].password, phone: '+905329990011' };
const deniz = { nationalId: DEMO_CITIZENS[3].nationalId, password: DEMO_CITIZENS[3].password };

/** The `kapi-device` command as a real process (bin/kapi-device.mjs → tsx), with its own key file. */
async function kapiDevice(stateFile: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'bin/kapi-device.mjs'), ...args, '--state', stateFile], {
      cwd: ROOT,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** `kapi-device login` as a real process: reads the address to open, then gets the landing address on stdin. */
async function kapiDeviceLogin(
  stateFile: string,
  server: string,
  signIn: (url: string) => Promise<string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/kapi-device.mjs'), 'login', '--server', server, '--state', stateFile], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /(http\S+\/auth\?\S+)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`kapi-device login ended early: ${stderr}`)));
  });
  child.stdin.write(`${await signIn(url)}\n`);
  const code = await exited;
  return { code, stdout, stderr };
}

describe('second factors, end to end (institution → Kapı → first stage → second stage → ID token)', () => {
  let t: TestKapi;
  let rp: client.Configuration;

  beforeAll(async () => {
    // A refused approval locks the device step (issue 25); two seconds here, so the later tests can go on.
    // Ayşe opens more approvals here than the default ten per 15 minutes: the limit has its own tests
    // (test/attacks/guess-limits-approvals.test.ts).
    t = await startKapi({ secondFactorGuesses: 3, approvalLimits: { lockSeconds: 2, perAccount: 50 } });
    rp = await relyingParty(t, await registerInstitution(t));
    // A second citizen with a phone verified from the registry (the SMS second factor needs one).
    await t.kapi.services
      .db('accounts')
      .where({ national_id: can.nationalId })
      .update({ phone: can.phone, phone_verified: true, phone_verified_acr: 'registry' });
    await phoneFromRegistry(t, ayse.nationalId);
  }, 60_000);
  afterAll(async () => t?.stop());

  async function claimsOf(req: Awaited<ReturnType<typeof authRequest>>, url: string) {
    expect(atCallback(url)).toBe(true);
    return (await exchange(rp, req, url)).claims()!;
  }

  it('with two-factor authentication off, the password alone signs in (acr low, no second stage)', async () => {
    await setTwoFactor(t, ayse.nationalId, false);
    const browser = new Browser();
    const req = await authRequest(rp);
    const page = await consent(browser, await password(browser, req.url.href, ayse.nationalId, ayse.password));
    const claims = await claimsOf(req, page.url);
    expect(claims.acr).toBe('low');
    expect(claims.amr).toEqual(['pwd']);
  });

  it('SMS: without a registered device the second stage is a code to the verified phone (acr substantial, amr sms otp)', async () => {
    await setTwoFactor(t, ayse.nationalId, true);
    const browser = new Browser();
    const req = await authRequest(rp);
    let page = await password(browser, req.url.href, ayse.nationalId, ayse.password);
    expect(page.html).toContain('name="code"');
    expect(page.html).toContain('+90 *** ** 33');
    const sms = t.kapi.messaging.smsOutbox!.latest(ayse.phone)!;
    expect(sms.purpose).toBe('second_factor');
    // A wrong code first: a clear error, the step stays open.
    const wrong = smsCode(t, ayse.phone) === '000000' ? '111111' : '000000';
    page = await browser.submit(page, { code: wrong }, { name: 'action', value: 'verify' }, atCallback);
    expect(page.status).toBe(400);
    expect(page.html).toContain('aria-invalid');
    page = await browser.submit(page, { code: smsCode(t, ayse.phone) }, { name: 'action', value: 'verify' }, atCallback);
    const claims = await claimsOf(req, (await consent(browser, page)).url);
    expect(claims.acr).toBe('substantial');
    expect(claims.amr).toEqual(['pwd', 'sms', 'otp']);
  });

  it('a phone verified in a password-only session does not serve as the second factor', async () => {
    const ece = await citizen(t, '31112223308', 'Dusuk-Seviye-2026', '+905325550000', 'low');
    await setTwoFactor(t, ece.nationalId, true);
    const browser = new Browser();
    const page = await password(browser, (await authRequest(rp)).url.href, ece.nationalId, ece.password);
    expect(atCallback(page.url)).toBe(false);
    expect(page.status).toBe(403); // the refusal page: no second stage is possible
    expect(page.html).not.toContain('name="code"');
    expect(t.kapi.messaging.smsOutbox!.list(ece.phone)).toHaveLength(0);
  });

  it('an SMS code guessed too often locks the step, even for the right code afterwards', async () => {
    const emre = await citizen(t, '56789123416', 'Kilitli-Adim-2026', '+905327770000');
    await setTwoFactor(t, emre.nationalId, true);
    const browser = new Browser();
    const req = await authRequest(rp);
    let page = await password(browser, req.url.href, emre.nationalId, emre.password);
    const right = smsCode(t, emre.phone);
    const wrong = right === '123456' ? '654321' : '123456';
    for (let i = 0; i < 2; i++) {
      page = await browser.submit(page, { code: wrong }, { name: 'action', value: 'verify' }, atCallback);
      expect(page.status).toBe(400);
    }
    page = await browser.submit(page, { code: wrong }, { name: 'action', value: 'verify' }, atCallback);
    expect(page.status).toBe(429);
    expect(page.html).not.toContain('name="code"');
    // The right code no longer helps, in this interaction or a new one.
    const again = new Browser();
    const req2 = await authRequest(rp);
    const locked = await password(again, req2.url.href, emre.nationalId, emre.password);
    expect(locked.status).toBe(429);
    expect(locked.html).not.toContain('name="code"');
    const account = await t.kapi.services.accounts.findByNationalId(emre.nationalId);
    expect(await t.kapi.services.db('sign_ins').where({ account_id: account!.id, method: 'sms', result: 'second_factor_locked' })).toHaveLength(1);
    void right;
  });

  it('TOTP: an active e-Government Key is asked after the password (amr otp); a code is accepted once', async () => {
    const account = await t.kapi.services.accounts.findByNationalId(deniz.nationalId);
    const setup = await t.kapi.exportsOf(secondFactorModule).totp.begin(account!.id, 'Deniz');
    if (setup === 'already_active') throw new Error('unexpected');
    const now = Math.floor(Date.now() / 1000);
    expect(await t.kapi.exportsOf(secondFactorModule).totp.check(account!.id, await generate({ secret: setup.secret, epoch: now }), { activate: true })).toBe(
      'ok',
    );
    // The secret is sealed at rest.
    const row = await t.kapi.services.db('totp_credentials').where({ account_id: account!.id }).first();
    expect(row.secret_sealed).not.toContain(setup.secret);

    const next = await generate({ secret: setup.secret, epoch: now + 30 }); // the next step, inside the window
    const browser = new Browser();
    const req = await authRequest(rp);
    let page = await password(browser, req.url.href, deniz.nationalId, deniz.password);
    expect(page.html).toContain('name="code"');
    page = await browser.submit(page, { code: next }, { name: 'action', value: 'verify' }, atCallback);
    const claims = await claimsOf(req, (await consent(browser, page)).url);
    expect(claims.acr).toBe('substantial');
    expect(claims.amr).toEqual(['pwd', 'otp']);

    const second = new Browser();
    const req2 = await authRequest(rp);
    let again = await password(second, req2.url.href, deniz.nationalId, deniz.password);
    again = await second.submit(again, { code: next }, { name: 'action', value: 'verify' }, atCallback);
    expect(again.status).toBe(400);
    expect(again.html).toMatch(/zaten kullanıldı|already used/);
    // The code alone never signs anyone in: the password form comes first, always.
    const third = await new Browser().go((await authRequest(rp)).url.href, {}, atCallback);
    expect(third.html).toContain('name="national_id"');
  });

  describe('registered device', () => {
    let device: DeviceClient;
    let stateFile: string;
    let pushToken: string;

    beforeAll(async () => {
      await setTwoFactor(t, ayse.nationalId, true);
      const token = await appToken(t, ayse);
      expect(token.claims.acr).toBe('substantial');
      const dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-device-'));
      stateFile = path.join(dir, 'device.json');
      const dpopFile = path.join(dir, 'dpop.json');
      await writeFile(dpopFile, JSON.stringify(token.dpopPrivateJwk));
      pushToken = 'push-token-ayse-phone';
      // `kapi-device register`, as a real process.
      const out = await kapiDevice(stateFile, [
        'register',
        '--server',
        t.issuer,
        '--name',
        'Ayşe’nin telefonu',
        '--access-token',
        token.accessToken,
        '--dpop-key',
        dpopFile,
        '--push-token',
        pushToken,
        '--json',
      ]);
      expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 0, stderr: '' });
      const state = JSON.parse(await readFile(stateFile, 'utf8'));
      expect(state.deviceId).toBe(JSON.parse(out.stdout).device_id);
      device = new DeviceClient(state);
    }, 240_000);

    it('kapi-device says clearly what is missing, with exit code 2', async () => {
      const out = await kapiDevice(path.join(os.tmpdir(), `kapi-device-none-${process.pid}.json`), ['list']);
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/no registered device in .* \(run kapi-device register first\)/);
    }, 60_000);

    it('refuses a registration without two-factor authentication, with a replayed DPoP proof or without the app’s token', async () => {
      await setTwoFactor(t, can.nationalId, true);
      const token = await appToken(t, can);
      await setTwoFactor(t, can.nationalId, false);
      await expect(registerDevice(t, token)).rejects.toMatchObject({ status: 403 });
      await setTwoFactor(t, can.nationalId, true);
      // One DPoP proof, sent twice: the second request is refused before anything else is looked at.
      const url = `${t.issuer}/device/v1/devices`;
      const proof = await dpopProof(token.dpopPrivateJwk, 'POST', url, token.accessToken);
      const send = () =>
        fetch(url, { method: 'POST', headers: { authorization: `DPoP ${token.accessToken}`, dpop: proof, 'content-type': 'application/json' }, body: '{}' });
      expect((await send()).status).toBe(400); // accepted token and proof, malformed body
      const replayed = await send();
      expect(replayed.status).toBe(401);
      expect(((await replayed.json()) as { error: string }).error).toBe('invalid_token');
      await expect(
        new DeviceClient({ server: t.issuer, ...(await newDeviceKeys()) }).register({
          name: 'x',
          accessToken: 'not-a-token',
          dpopPrivateJwk: token.dpopPrivateJwk,
        }),
      ).rejects.toMatchObject({ status: 401 });
    });

    it('push + number matching: the device approves with the number the browser shows (amr mca swk)', async () => {
      const browser = new Browser();
      const req = await authRequest(rp);
      const page = await password(browser, req.url.href, ayse.nationalId, ayse.password);
      const number = numberOn(page);
      const push = t.kapi.exportsOf(secondFactorModule).pushOutbox!.latest(pushToken);
      expect(push?.data.type).toBe('approval');
      // `kapi-device list` and `approve`, as real processes.
      const list = JSON.parse((await kapiDevice(stateFile, ['list', '--json'])).stdout) as {
        approvals: { id: string; clientName: string; choices: string[]; place?: string }[];
      };
      const approval = list.approvals.find((a) => a.id === push!.data.approvalId)!;
      expect(approval.clientName).toBe('Test Kurumu');
      // The approximate place of the browser: this test's browser is on the loopback network.
      expect(approval.place).toBe('local');
      // Nothing to pick from: the person types the number the page shows (issue 25).
      expect(approval.choices).toEqual([]);
      expect(approval).not.toHaveProperty('number');
      const approved = await kapiDevice(stateFile, ['approve', approval.id, '--number', number]);
      expect(approved.stdout.trim()).toBe('approved');
      const done = await consent(browser, await continueWaiting(browser, page));
      const claims = await claimsOf(req, done.url);
      expect(claims.acr).toBe('substantial');
      expect(claims.amr).toEqual(['pwd', 'mca', 'swk']);
      const [row] = await t.kapi.services.db('registered_devices').where({ id: device.state.deviceId });
      expect(row.last_used_at).not.toBeNull();
    }, 120_000);

    it('refuses the wrong number and closes the approval', async () => {
      const browser = new Browser();
      const page = await password(browser, (await authRequest(rp)).url.href, ayse.nationalId, ayse.password);
      const number = numberOn(page);
      const approval = await approvalFor(device, page);
      const wrongNumber = number === '42' ? '43' : '42';
      await expect(device.answer(approval!, 'approve', wrongNumber)).rejects.toMatchObject({ status: 422, error: 'wrong_number' });
      await expect(device.answer(approval!, 'approve', number)).rejects.toMatchObject({ status: 409 });
      const after = await continueWaiting(browser, page);
      expect(after.html).toMatch(/yanlış sayı|wrong number/);
      expect(atCallback(after.url)).toBe(false);
      // Someone got past the password: the device step is paused for the account (issue 25).
      const paused = await password(new Browser(), (await authRequest(rp)).url.href, ayse.nationalId, ayse.password);
      expect(paused.status).toBe(429);
      expect(paused.html).not.toContain('id="approval-number"');
      await new Promise((resolve) => setTimeout(resolve, 2100));
    });

    it('accepts an answer once (a replay is refused) and refuses an expired approval', async () => {
      const browser = new Browser();
      const page = await password(browser, (await authRequest(rp)).url.href, ayse.nationalId, ayse.password);
      const approval = await approvalFor(device, page);
      expect(await device.answer(approval!, 'approve', numberOn(page))).toBe('approved');
      await expect(device.answer(approval!, 'approve', numberOn(page))).rejects.toMatchObject({ status: 409, error: 'already_answered' });

      const late = new Browser();
      const latePage = await password(late, (await authRequest(rp)).url.href, ayse.nationalId, ayse.password);
      const pending = await approvalFor(device, latePage);
      const found = await t.kapi.exportsOf(secondFactorModule).approvals.find(pending!.id);
      await t.kapi.exportsOf(secondFactorModule).approvals.update(found!, { ...found!.approval, exp: Math.floor(Date.now() / 1000) - 1 });
      await expect(device.answer(pending!, 'approve', numberOn(latePage))).rejects.toMatchObject({ status: 410, error: 'expired' });
      const after = await continueWaiting(late, latePage);
      expect(after.html).toMatch(/süresi doldu|expired/);
    });

    it('refuses an answer signed by another device’s key', async () => {
      const browser = new Browser();
      const page = await password(browser, (await authRequest(rp)).url.href, ayse.nationalId, ayse.password);
      const approval = await approvalFor(device, page);
      // Another person's registered device, answering Ayşe's approval with its own key.
      await setTwoFactor(t, can.nationalId, true);
      const other = await registerDevice(t, await appToken(t, can), 'Can’ın telefonu');
      await expect(other.answer(approval!, 'approve', numberOn(page))).rejects.toMatchObject({ status: 403 });
      // A key that is not the device's, claiming to be it.
      const forged = new DeviceClient({ ...device.state, privateJwk: other.state.privateJwk, publicJwk: other.state.publicJwk });
      await expect(forged.answer(approval!, 'approve', numberOn(page))).rejects.toMatchObject({ status: 401 });
      // The approval is still open for the right device.
      expect((await device.pending()).map((a) => a.id)).toContain(approval!.id);
    }, 60_000);

    it('QR: the device scans this login’s code and approves it; a payload from another login is refused', async () => {
      const browser = new Browser();
      const req = await authRequest(rp);
      const page = await password(browser, req.url.href, ayse.nationalId, ayse.password);
      const payload = qrOn(page);
      // Another person's device scanning Ayşe's login.
      const selin = await citizen(t, '45678912316', 'Baska-Bir-Kisi-2026', '+905326660000');
      await setTwoFactor(t, selin.nationalId, true);
      const selinDevice = await registerDevice(t, await appToken(t, selin), 'Selin’in telefonu');
      await expect(selinDevice.scan(payload)).rejects.toMatchObject({ status: 403 });
      // A payload whose secret is not the one of this login (from another, forged or stale page).
      await expect(device.scan(payload.replace(/:[^:]+$/, ':' + 'A'.repeat(32)))).rejects.toMatchObject({ status: 403 });
      const scanned = await kapiDevice(stateFile, ['scan', payload, '--approve', '--json']);
      expect(JSON.parse(scanned.stdout).status).toBe('approved');
      const claims = await claimsOf(req, (await consent(browser, await continueWaiting(browser, page))).url);
      expect(claims.amr).toEqual(['pwd', 'mca', 'swk']);
    }, 120_000);

    it('deleting the device stops its approvals at once, even one already approved', async () => {
      const second = await registerDevice(t, await appToken(t, ayse, device), 'Ayşe’nin tableti');
      const browser = new Browser();
      const page = await password(browser, (await authRequest(rp)).url.href, ayse.nationalId, ayse.password);
      const approval = await approvalFor(second, page);
      expect(await second.answer(approval!, 'approve', numberOn(page))).toBe('approved');
      const account = await t.kapi.services.accounts.findByNationalId(ayse.nationalId);
      expect(await t.kapi.exportsOf(secondFactorModule).devices.delete(account!.id, second.state.deviceId!)).toBe(true);
      const after = await continueWaiting(browser, page);
      expect(atCallback(after.url)).toBe(false);
      expect(after.html).toMatch(/artık kayıtlı değil|no longer registered/);
      await expect(second.pending()).rejects.toBeInstanceOf(DeviceApiError);
    }, 120_000);

    it('a sign-in of the registered device’s own app needs no SMS: the device approves it itself', async () => {
      const codesBefore = t.kapi.messaging.smsOutbox!.list(ayse.phone).filter((m) => m.purpose === 'second_factor').length;
      const token = await appToken(t, ayse, device);
      expect(token.claims.acr).toBe('substantial');
      expect(token.claims.amr).toEqual(['pwd', 'mca', 'swk']);
      expect(t.kapi.messaging.smsOutbox!.list(ayse.phone).filter((m) => m.purpose === 'second_factor')).toHaveLength(codesBefore);
    }, 60_000);

    it('kapi-device login, register and delete, as real processes (a second device, approved by the first)', async () => {
      const tablet = path.join(path.dirname(stateFile), 'tablet.json');
      const login = await kapiDeviceLogin(tablet, t.issuer, (url) => signInAsApp(t, url, ayse, device));
      expect(login.stderr).toBe('');
      expect(login.code).toBe(0);
      const registered = await kapiDevice(tablet, ['register', '--name', 'Ayşe’nin tableti', '--json']);
      expect(registered.code).toBe(0);
      const id = JSON.parse(registered.stdout).device_id as string;
      const account = await t.kapi.services.accounts.findByNationalId(ayse.nationalId);
      expect((await t.kapi.exportsOf(secondFactorModule).devices.list(account!.id)).map((d) => d.id)).toContain(id);
      // The app's token is not kept once the device has its own key.
      expect(JSON.parse(await readFile(tablet, 'utf8')).app).toBeUndefined();
      expect((await kapiDevice(tablet, ['delete'])).stdout.trim()).toBe('device deleted');
      expect(await t.kapi.exportsOf(secondFactorModule).devices.find(id)).toBeUndefined();
    }, 120_000);

    it('a login with a registered device offers the device, not SMS', async () => {
      const browser = new Browser();
      const page = await password(browser, (await authRequest(rp)).url.href, ayse.nationalId, ayse.password);
      expect(page.html).toContain('id="approval-number"');
      expect(page.html).not.toContain('name="code"');
    });
  });
});
