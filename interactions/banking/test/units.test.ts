import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { bankAmr, bankLevel } from '../assurance.js';
import { loadBankFile } from '../bank-file.js';
import { ConfigError, loadConfig } from '../../../src/config.js';

describe('what a bank login is worth', () => {
  const plain = { defaultAcr: 'substantial' as const, acrMap: {}, passwordOnlyAcr: 'low' as const };
  const mapped = { ...plain, acrMap: { 'urn:b:1': 'low' as const, 'urn:b:2': 'substantial' as const } };

  it('is substantial by default, never high', () => {
    expect(bankLevel(plain, undefined, ['pwd', 'otp'])).toBe('substantial');
    expect(bankLevel(plain, 'urn:anything', [])).toBe('substantial');
  });
  it("follows the bank's acr mapping; an acr the mapping does not know counts as low", () => {
    expect(bankLevel(mapped, 'urn:b:2', ['pwd', 'otp'])).toBe('substantial');
    expect(bankLevel(mapped, 'urn:b:1', ['pwd', 'otp'])).toBe('low');
    expect(bankLevel(mapped, 'urn:b:9', ['pwd', 'otp'])).toBe('low');
    expect(bankLevel(mapped, undefined, ['pwd', 'otp'])).toBe('substantial');
  });
  it('is low when the bank proved only a password, whatever its acr says', () => {
    expect(bankLevel(mapped, 'urn:b:2', ['pwd'])).toBe('low');
    expect(bankLevel({ ...plain, passwordOnlyAcr: 'substantial' }, undefined, ['pwd'])).toBe('substantial');
    expect(bankLevel({ ...plain, defaultAcr: 'low' }, undefined, ['pwd', 'otp'])).toBe('low');
  });
  it("amr: fed first, then the bank's well-formed values, once each", () => {
    expect(bankAmr(['pwd', 'otp', 'otp', 'fed', 'Bad Value!', 'x'.repeat(40)])).toEqual(['fed', 'pwd', 'otp']);
    expect(bankAmr([])).toEqual(['fed']);
  });
});

describe('bank configuration', () => {
  let dir: string;
  const config = (env: Record<string, string> = {}) => loadConfig({ NODE_ENV: 'test', DATA_DIR: ':memory:', ...env });
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-bank-config-'));
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(path.join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    await writeFile(path.join(dir, 'secret'), 's3cret-value-never-logged\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = async (banks: unknown) => {
    const file = path.join(dir, `banks-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify(banks));
    return file;
  };
  const bank = {
    id: 'ornek',
    name: 'Örnek Bank',
    issuer: 'https://login.ornek.example',
    clientId: 'kapi',
    auth: { method: 'client_secret_basic', secretFile: 'secret' },
  };

  it('reads banks with defaults, private keys and secrets from files', async () => {
    const banks = await loadBankFile(
      await write([
        bank,
        { ...bank, id: 'ikinci', auth: { method: 'private_key_jwt', privateKeyFile: 'key.pem', kid: 'k1' }, acr: { 'urn:x': 'low' }, nationalIdClaim: 'tckn' },
      ]),
      config(),
    );
    expect(banks.map((b) => b.id)).toEqual(['ornek', 'ikinci']);
    expect(banks[0]!.nationalIdClaim).toBe('national_id');
    expect(banks[0]!.assurance).toEqual({ defaultAcr: 'substantial', acrMap: {}, passwordOnlyAcr: 'low' });
    expect(banks[1]!.assurance.acrMap).toEqual({ 'urn:x': 'low' });
  });
  it('reads a secret from the environment variable it names', async () => {
    process.env.KAPI_TEST_BANK_SECRET = 'from-env';
    try {
      await expect(
        loadBankFile(await write([{ ...bank, auth: { method: 'client_secret_post', secretEnv: 'KAPI_TEST_BANK_SECRET' } }]), config()),
      ).resolves.toHaveLength(1);
    } finally {
      delete process.env.KAPI_TEST_BANK_SECRET;
    }
    await expect(
      loadBankFile(await write([{ ...bank, auth: { method: 'client_secret_post', secretEnv: 'KAPI_TEST_BANK_MISSING' } }]), config()),
    ).rejects.toThrow(/KAPI_TEST_BANK_MISSING/);
  });
  it('refuses bad entries with a message naming the field, and never echoes a secret', async () => {
    await expect(loadBankFile(await write([{ ...bank, id: 'Bad Id' }]), config())).rejects.toThrow(/0\.id/);
    await expect(loadBankFile(await write([{ ...bank, acr: { x: 'high' } }]), config())).rejects.toThrow(/acr/);
    await expect(loadBankFile(await write([bank, bank]), config())).rejects.toThrow(/twice/);
    await expect(loadBankFile(await write([{ ...bank, auth: { method: 'private_key_jwt', privateKeyFile: 'secret' } }]), config())).rejects.toThrow(
      /cannot be read/,
    );
    const err = await loadBankFile(await write([{ ...bank, clientSecret: 's3cret-value-never-logged' }]), config()).catch((e: unknown) => e as Error);
    expect(String(err)).not.toContain('s3cret-value-never-logged');
  });
  it('production: https issuers only, and no demo bank', async () => {
    const prod = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://x@h/db',
      REDIS_URL: 'redis://h',
      KAPI_ISSUER: 'https://kapi.example',
      KAPI_TRUST_PROXY_HOPS: '1',
      KAPI_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      KAPI_COOKIE_KEYS: 'a'.repeat(40),
      KAPI_PAIRWISE_SALT: 'b'.repeat(40),
      KAPI_REGISTRY_URL: 'https://nvi.example/kapi',
      KAPI_REGISTRY_CERT: 'c.pem',
      KAPI_REGISTRY_KEY: 'k.pem',
    };
    const production = loadConfig(prod);
    expect(production.banking.demoBank).toBe(false);
    await expect(loadBankFile(await write([{ ...bank, issuer: 'http://bank.example' }]), production)).rejects.toThrow(/https/);
    expect(() => loadConfig({ ...prod, KAPI_DEMO_BANK: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...prod, KAPI_DEMO_BANK: 'true' })).toThrow(/demo bank/);
  });
  it('runs the demo bank on the embedded demo, not for in-memory test servers', () => {
    expect(loadConfig({ NODE_ENV: 'development', DATA_DIR: './data' }).banking.demoBank).toBe(true);
    expect(config().banking.demoBank).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development', DATA_DIR: './data', KAPI_DEMO_BANK: 'false' }).banking.demoBank).toBe(false);
  });
});
