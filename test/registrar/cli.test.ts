import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.js';
import { openServices } from '../../src/services.js';
import { seededDataDir } from '../support/seeded-data-dir.js';

// `kapi registrar` as an administrator runs it: the real command in a child process, on a fresh
// embedded database (a temporary DATA_DIR). Each run opens PGlite, so the runs build on each other.

jest.setTimeout(120_000);

const KAPI = fileURLToPath(new URL('../../bin/kapi.mjs', import.meta.url));
const OFFICE = 'PTT-IST-KADIKOY';
const REGISTRAR = '10090908018'; // Çağla Şahin
const DENIZ = '31112223308';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dataDir: string;

/** The real command; the language of its messages comes from LANG (none here unless a test sets it). */
function kapiWith(language: Record<string, string>, ...args: string[]): Promise<Run> {
  const { DATABASE_URL: _db, REDIS_URL: _redis, LANG: _lang, LC_ALL: _all, LC_MESSAGES: _messages, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KAPI, ...args], {
      cwd: dataDir,
      env: { ...env, LANG: 'C.UTF-8', ...language, DATA_DIR: dataDir, KAPI_LOG_LEVEL: 'silent', KAPI_DEMO: 'false' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function kapi(...args: string[]): Promise<Run> {
  return kapiWith({}, ...args);
}

function json<T = Record<string, unknown>>(run: Run): T {
  if (run.code !== 0) throw new Error(`kapi exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

const counter = ['--office', OFFICE, '--staff', REGISTRAR];
const idCard = ['--document', 'tr_identity_card:K31A22233']; // Deniz's card, as the registry records it

beforeAll(async () => {
  dataDir = await seededDataDir('kapi-registrar-cli-');
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('kapi registrar', () => {
  it.each([
    ['--office', ['registrar', 'issue', '--staff', REGISTRAR, '--national-id', DENIZ, ...idCard], /--office/],
    ['--staff', ['registrar', 'issue', '--office', OFFICE, '--national-id', DENIZ, ...idCard], /--staff/],
    ['--office on cancel', ['registrar', 'cancel', '--staff', REGISTRAR, '--national-id', DENIZ, ...idCard], /--office/],
    ['--staff on history', ['registrar', 'history', '--office', OFFICE], /--staff/],
  ])('refuses to act without %s', async (_name, args, message) => {
    const run = await kapi(...args);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it("speaks the clerk's language: Turkish by default, English with an English LANG, commander's own errors too (issue 20 point 7)", async () => {
    const typo = ['registrar', 'check', '--office', OFFICE, '--staff', '10090908019', '--national-id', DENIZ];
    const turkish = await kapi(...typo);
    expect(turkish.code).toBe(1);
    expect(turkish.stderr).toContain('invalid_identity_number: Geçersiz kimlik numarası (--staff)');
    const english = await kapiWith({ LANG: 'en_US.UTF-8' }, ...typo);
    expect(english.stderr).toContain('invalid_identity_number: Invalid identity number (--staff)');
    const unknownOption = await kapi('registrar', 'issue', '--office', OFFICE, '--staff', REGISTRAR, '--natinal-id', DENIZ);
    expect(unknownOption.code).toBe(1);
    expect(unknownOption.stderr).toContain('Bilinmeyen seçenek --natinal-id');
    expect(unknownOption.stderr).not.toContain('unknown option');
    for (const run of [turkish, english, unknownOption]) expect(run.stdout).toBe('');
  });

  it('sets up an office and its registrar', async () => {
    expect(json(await kapi('registrar', 'office', 'add', '--code', OFFICE, '--name', 'PTT İstanbul Kadıköy', '--kind', 'ptt', '--json'))).toEqual({
      code: OFFICE,
      name: 'PTT İstanbul Kadıköy',
      kind: 'ptt',
      active: true,
    });
    const grant = await kapi('registrar', 'grant', '--office', OFFICE, '--national-id', REGISTRAR, '--by', 'test-admin');
    expect(grant.code).toBe(0);
    expect(grant.stdout).toContain('Çağla Şahin');
    // The same rules as the operator console (src/registrar/office-admin.ts): a mistyped number is refused
    // by its checksum, and each change is on the operators' audit trail.
    const typo = await kapi('registrar', 'grant', '--office', OFFICE, '--national-id', '10090908019', '--by', 'test-admin');
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toContain('not a well-formed identity number');
    const services = await openServices(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, KAPI_LOG_LEVEL: 'silent' }));
    try {
      const trail = await services.db('operator_audit').orderBy('id').select('action', 'actor', 'via', 'target');
      expect(trail).toEqual([
        { action: 'office.add', actor: expect.stringMatching(/^cli:/), via: 'cli', target: OFFICE },
        { action: 'registrar.grant', actor: 'cli:test-admin', via: 'cli', target: '100******18' },
      ]);
    } finally {
      await services.close();
    }
  });

  it('refuses staff who are not registrars of the office, and an unknown office', async () => {
    const stranger = await kapi('registrar', 'issue', '--office', OFFICE, '--staff', '12345678950', '--national-id', DENIZ, ...idCard);
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toContain('not_registrar');
    const nowhere = await kapi('registrar', 'issue', '--office', 'PTT-NOWHERE', '--staff', REGISTRAR, '--national-id', DENIZ, ...idCard, '--lang', 'en');
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain('office_unknown: This office is not registered.');
  });

  it('issues a password printed once with the receipt, then charges 20 TL, and cancels it', async () => {
    const first = json<{ password: string; fee_kurus: number; account_created: boolean; receipt: string }>(
      await kapi('registrar', 'issue', ...counter, '--national-id', DENIZ, ...idCard, '--json'),
    );
    expect(first).toMatchObject({ fee_kurus: 500, account_created: true });
    expect(first.receipt).not.toContain(first.password);

    const second = await kapi('registrar', 'issue', ...counter, '--national-id', DENIZ, ...idCard, '--lang', 'en');
    expect(second.code).toBe(0);
    const password = /^ {2}(\S+)$/m.exec(second.stdout)?.[1];
    expect(password).toMatch(/^[2-9A-Za-z]{10}$/);
    expect(second.stdout.split(password!).length - 1).toBe(1); // printed exactly once
    expect(second.stdout).toContain('20.00 TL');

    const refused = await kapi('registrar', 'issue', ...counter, '--national-id', '19876543238', ...idCard);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('under_15');

    const cancelled = json<{ sessions_ended: number; receipt: string }>(
      await kapi(
        'registrar',
        'cancel',
        ...counter,
        '--national-id',
        DENIZ,
        '--channel',
        'proxy',
        '--rep-national-id',
        '10000000146',
        '--rep-document',
        'passport:U1234567',
        '--authority-number',
        '2026/88',
        '--authority-date',
        '2026-03-01',
        '--authority-issuer',
        'Kadıköy 3. Noterliği',
        '--authorises-password-receipt',
        '--json',
      ),
    );
    expect(cancelled.sessions_ended).toBe(0);
    expect(cancelled.receipt).toContain('Vekaletname 2026/88');

    const history = json<{ kind: string; feeKurus: number | null; staffVia: string }[]>(
      await kapi('registrar', 'history', ...counter, '--national-id', DENIZ, '--json'),
    );
    expect(history.map((h) => [h.kind, h.feeKurus])).toEqual([
      ['cancellation', null],
      ['issuance', 2000],
      ['issuance', 500],
    ]);
    expect(history.every((h) => h.staffVia === 'cli')).toBe(true);
  });

  it('left the password as an argon2id hash only, and nothing after the cancellation', async () => {
    const services = await openServices(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, KAPI_LOG_LEVEL: 'silent' }));
    try {
      const account = await services.accounts.findByNationalId(DENIZ);
      expect(account).toBeDefined();
      expect(await services.accounts.findPassword(account!.id)).toBeUndefined();
      const types = (await services.db('audit_events').where({ account_id: account!.id }).select('type')).map((r: { type: string }) => r.type);
      expect(types).toEqual(expect.arrayContaining(['registrar.password_issued', 'registrar.password_cancelled']));
    } finally {
      await services.close();
    }
  });
});
