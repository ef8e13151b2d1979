import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, importPKCS8 } from 'jose';
import { z } from 'zod';
import { OidcBank, type BankClientAuth } from '../../adapters/banks/openid-bank.js';
import { DEMO_BANK_ACR, DEMO_BANK_LOGO, startDemoBank, type DemoBank } from '../../adapters/banks/demo-bank/server.js';
import { BANK_ID, type BankEntry, type BankLogo } from './banks.js';
import type { BankingConfig } from './config.js';
import { KapiError } from '../../src/errors.js';
import { log } from '../../src/log.js';

// The banking module's wiring: configuration → banks. Banks come from the JSON file
// in KAPI_BANKS_FILE (README "Online banking"); client secrets and private keys are read from the
// environment or from files named there, never from the file itself, and never logged. On the
// embedded demo the demo bank runs beside Kapı on PORT + 3.

const level = z.enum(['low', 'substantial']);

const secretSource = { secretEnv: z.string().min(1).optional(), secretFile: z.string().min(1).optional() };
const keySource = {
  privateKeyEnv: z.string().min(1).optional(),
  privateKeyFile: z.string().min(1).optional(),
  kid: z.string().min(1).optional(),
  alg: z.string().min(1).optional(),
};

const bankSchema = z
  .object({
    id: z.string().regex(BANK_ID, 'lowercase letters, digits and dashes'),
    name: z.string().min(1).max(80),
    /** An SVG or PNG file, served by Kapı (the pages' CSP allows only Kapı's own images). */
    logo: z.string().min(1).optional(),
    enabled: z.boolean().default(true),
    issuer: z.url(),
    clientId: z.string().min(1),
    auth: z.union([
      z.object({ method: z.enum(['client_secret_basic', 'client_secret_post']), ...secretSource }).strict(),
      z.object({ method: z.literal('private_key_jwt'), ...keySource }).strict(),
    ]),
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/))
      .min(1)
      .default(['openid']),
    nationalIdClaim: z.string().min(1).default('national_id'),
    idTokenAlg: z.string().min(1).default('RS256'),
    acr: z.record(z.string(), level).default({}),
    defaultAcr: level.default('substantial'),
    passwordOnlyAcr: level.default('low'),
    timeoutMs: z.number().int().min(500).max(60_000).default(10_000),
  })
  .strict();

export type BankFileEntry = z.infer<typeof bankSchema>;

export interface BankingSetup {
  banks: BankEntry[];
  demoBank?: DemoBank;
  close(): Promise<void>;
}

export const callbackUrl = (config: BankingConfig) => `${config.issuer}/banking/callback`;
export const demoBankPort = (config: BankingConfig) => config.port + 3;

function invalid(message: string): KapiError {
  return new KapiError('config_invalid', `KAPI_BANKS_FILE: ${message}`);
}

async function secretFrom(bank: string, env: string | undefined, file: string | undefined, base: string): Promise<string> {
  if (env) {
    const value = process.env[env];
    if (!value) throw invalid(`bank ${bank}: environment variable ${env} is empty or missing`);
    return value.trim();
  }
  if (file) return (await readFile(path.resolve(base, file), 'utf8')).trim();
  throw invalid(`bank ${bank}: name the secret with secretEnv/privateKeyEnv or secretFile/privateKeyFile`);
}

/** A private key given as PEM (PKCS#8, PKCS#1, SEC1) or as a JWK, for private_key_jwt. */
async function signingKey(bank: string, material: string, alg: string | undefined): Promise<CryptoKey> {
  let key: KeyObject;
  try {
    key = material.startsWith('{')
      ? createPrivateKey({ key: JSON.parse(material) as import('node:crypto').JsonWebKey, format: 'jwk' })
      : createPrivateKey(material);
  } catch {
    throw invalid(`bank ${bank}: the private key cannot be read (PEM or JWK expected)`);
  }
  const type = key.asymmetricKeyType;
  const chosen = alg ?? (type === 'rsa' ? 'RS256' : type === 'ec' ? 'ES256' : type === 'ed25519' ? 'EdDSA' : undefined);
  if (!chosen) throw invalid(`bank ${bank}: unsupported private key type ${String(type)}`);
  return importPKCS8(key.export({ type: 'pkcs8', format: 'pem' }).toString(), chosen);
}

async function logoFrom(bank: string, file: string | undefined, base: string): Promise<BankLogo | undefined> {
  if (!file) return undefined;
  const full = path.resolve(base, file);
  const type = full.endsWith('.svg') ? 'image/svg+xml' : full.endsWith('.png') ? 'image/png' : undefined;
  if (!type) throw invalid(`bank ${bank}: the logo must be an .svg or .png file`);
  const data = await readFile(full);
  if (data.length > 100_000) throw invalid(`bank ${bank}: the logo is larger than 100 kB`);
  return { contentType: type, data };
}

/** One configured bank → the method's entry with its real OIDC client. */
export async function bankFromEntry(entry: BankFileEntry, config: BankingConfig, base: string): Promise<BankEntry> {
  if (config.production && !entry.issuer.startsWith('https://')) throw invalid(`bank ${entry.id}: the issuer must be https:// in production`);
  let auth: BankClientAuth;
  if (entry.auth.method === 'private_key_jwt') {
    const material = await secretFrom(entry.id, entry.auth.privateKeyEnv, entry.auth.privateKeyFile, base);
    auth = { method: 'private_key_jwt', key: await signingKey(entry.id, material, entry.auth.alg), kid: entry.auth.kid };
  } else {
    auth = { method: entry.auth.method, secret: await secretFrom(entry.id, entry.auth.secretEnv, entry.auth.secretFile, base) };
  }
  const scopes = entry.scopes.includes('openid') ? entry.scopes : ['openid', ...entry.scopes];
  return {
    id: entry.id,
    name: entry.name,
    logo: await logoFrom(entry.id, entry.logo, base),
    enabled: entry.enabled,
    nationalIdClaim: entry.nationalIdClaim,
    assurance: { defaultAcr: entry.defaultAcr, acrMap: entry.acr, passwordOnlyAcr: entry.passwordOnlyAcr },
    client: new OidcBank({
      id: entry.id,
      issuer: entry.issuer,
      clientId: entry.clientId,
      redirectUri: callbackUrl(config),
      scopes,
      auth,
      idTokenAlg: entry.idTokenAlg,
      timeoutMs: entry.timeoutMs,
      clockToleranceSeconds: config.clockToleranceSeconds,
    }),
  };
}

export async function loadBankFile(file: string, config: BankingConfig): Promise<BankEntry[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw invalid(`${file} cannot be read as JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const parsed = z.array(bankSchema).safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const ids = new Set<string>();
  for (const b of parsed.data) {
    if (ids.has(b.id)) throw invalid(`bank id ${b.id} appears twice`);
    ids.add(b.id);
  }
  const base = path.dirname(file);
  return Promise.all(parsed.data.map((entry) => bankFromEntry(entry, config, base)));
}

/**
 * The demo bank beside the embedded demo. Kapı authenticates to it with private_key_jwt, using a key
 * made at start (both live in this process, so nothing needs to be kept).
 */
async function demoBankEntry(config: BankingConfig): Promise<{ entry: BankEntry; bank: DemoBank } | undefined> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = 'kapi-demo';
  const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'ES256' };
  const host = new URL(config.issuer).protocol === 'http:' ? new URL(config.issuer).hostname : 'localhost';
  let bank: DemoBank;
  try {
    bank = await startDemoBank({
      port: demoBankPort(config),
      host: config.host,
      issuer: `http://${host}:${demoBankPort(config)}`,
      name: 'Demo Bank',
      clients: [
        {
          client_id: 'kapi',
          client_name: 'Kapı',
          redirect_uris: [callbackUrl(config)],
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_signing_alg: 'ES256',
          jwks: { keys: [publicJwk] },
        },
      ],
    });
  } catch (err) {
    log.warn({ err }, 'the demo bank could not start: online-banking sign-in is not offered');
    return undefined;
  }
  const entry: BankEntry = {
    id: 'demo-bank',
    name: 'Demo Bank',
    logo: { contentType: 'image/svg+xml', data: await readFile(DEMO_BANK_LOGO) },
    enabled: true,
    nationalIdClaim: 'tckn',
    assurance: { defaultAcr: 'substantial', acrMap: { [DEMO_BANK_ACR.password]: 'low', [DEMO_BANK_ACR.twoFactor]: 'substantial' }, passwordOnlyAcr: 'low' },
    client: new OidcBank({
      id: 'demo-bank',
      issuer: bank.issuer,
      clientId: 'kapi',
      redirectUri: callbackUrl(config),
      scopes: ['openid', 'tckn'],
      auth: { method: 'private_key_jwt', key: await importPKCS8(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'ES256'), kid },
      idTokenAlg: 'RS256',
      timeoutMs: 5000,
      clockToleranceSeconds: config.clockToleranceSeconds,
    }),
  };
  return { entry, bank };
}

export async function bankingSetup(config: BankingConfig): Promise<BankingSetup> {
  const banks = config.banking.file ? await loadBankFile(config.banking.file, config) : [];
  let demoBank: DemoBank | undefined;
  if (config.banking.demoBank) {
    if (!config.allowSimulators) throw new KapiError('config_invalid', 'the demo bank is a simulator: not allowed in production (KAPI_ALLOW_SIMULATORS)');
    const demo = await demoBankEntry(config);
    if (demo && !banks.some((b) => b.id === demo.entry.id)) {
      banks.push(demo.entry);
      demoBank = demo.bank;
    } else await demo?.bank.close();
  }
  return {
    banks,
    ...(demoBank ? { demoBank } : {}),
    async close() {
      await demoBank?.close();
    },
  };
}
