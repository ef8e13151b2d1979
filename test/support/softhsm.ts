import { execFile, spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { recordSecret } from './secret-record.js';

// A real PKCS#11 token for tests: SoftHSM2 in a private temporary directory, driven with the same
// tools an administrator uses (softhsm2-util, OpenSC's pkcs11-tool). The configuration reaches child
// processes through the `env` object returned here; process.env is left alone, except inside
// `withEnv` for code that loads the module in this process (pkcs11js), which restores it afterwards.
//
// Typical use (see test/signer/signer.test.ts):
//   const hsm = await createSoftHsm();
//   await hsm.initToken('Kimlik', '123456');
//   await hsm.generateKeyPair('Kimlik', '123456', { id: '01', type: 'EC:prime256v1' });
//   const spki = await hsm.readPublicKey('Kimlik', '01');       // certify it with a (test) CA
//   await hsm.writeCertificate('Kimlik', '123456', '01', certificateDer, 'Kimlik Doğrulama');
//   spawn(..., { env: hsm.env });  ...  await hsm.destroy();

export const SOFTHSM_MODULE = process.env.SOFTHSM2_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so';
const DEFAULT_SO_PIN = '12345678';

export type SoftHsmKeyType = 'rsa:2048' | 'EC:prime256v1' | 'EC:secp384r1';

export interface SoftHsm {
  /** The temporary directory holding the configuration and the tokens. */
  readonly dir: string;
  /** Its softhsm2.conf. */
  readonly confPath: string;
  /** The PKCS#11 module path (for `--module` or `--card softhsm`). */
  readonly module: string;
  /** process.env plus SOFTHSM2_CONF: pass it to every child process that should see these tokens. */
  readonly env: NodeJS.ProcessEnv;
  /** Initialises a token in a free slot (SoftHSM then moves it to a random slot id: find it by label). */
  initToken(label: string, pin: string, soPin?: string): Promise<void>;
  /** Generates a key pair on the token; `id` is the CKA_ID in hex, shared by key and certificate. */
  generateKeyPair(label: string, pin: string, options: { id: string; type: SoftHsmKeyType; keyLabel?: string }): Promise<void>;
  /** The public key with CKA_ID `id`, as SPKI DER. */
  readPublicKey(label: string, id: string): Promise<Buffer>;
  /** Stores a DER certificate with CKA_ID `id` (the key's id links them; a CA certificate takes an id of its own). */
  writeCertificate(label: string, pin: string, id: string, der: Uint8Array, certLabel?: string): Promise<void>;
  /** Runs `action` with SOFTHSM2_CONF set in this process (for in-process pkcs11js), then restores it. */
  withEnv<T>(action: () => T | Promise<T>): Promise<T>;
  /** Removes the directory and its tokens. */
  destroy(): Promise<void>;
}

/** Why SoftHSM tests cannot run here, or undefined when they can. */
export function softHsmMissing(): string | undefined {
  for (const tool of ['softhsm2-util', 'pkcs11-tool']) {
    const probe = spawnSync(tool, ['--help'], { stdio: 'ignore' });
    if (probe.error) return `${tool} is not installed (apt-get install softhsm2 opensc)`;
  }
  if (!existsSync(SOFTHSM_MODULE)) return `${SOFTHSM_MODULE} is missing (apt-get install softhsm2, or set SOFTHSM2_MODULE)`;
  return undefined;
}

/**
 * The skip/fail rule: true when SoftHSM is usable. Otherwise, locally, warns and returns false (the
 * caller skips); on CI (CI=true) throws, because CI installs SoftHSM and a silent skip would hide
 * the smart-card tests. Use as `const describeHsm = softHsmAvailable('signer') ? describe : describe.skip;`
 */
export function softHsmAvailable(suite = 'SoftHSM tests'): boolean {
  const missing = softHsmMissing();
  if (!missing) return true;
  if (process.env.CI === 'true') throw new Error(`${suite}: ${missing}`);
  console.warn(`${suite} skipped: ${missing}`);
  return false;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  // PINs are redacted from the error text so a failing test never prints one into CI logs.
  const shown = args.map((arg, i) => (/^--(so-)?pin$/.test(args[i - 1] ?? '') ? '***' : arg)).join(' ');
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${shown} failed: ${stderr || stdout || error.message}`));
      else resolve(stdout);
    });
  });
}

/** EC_PARAMS (a DER OID) → JWK curve name. */
const CURVES: Record<string, string> = {
  '06082a8648ce3d030107': 'P-256',
  '06052b81040022': 'P-384',
  '06052b81040023': 'P-521',
};

/** Strips a DER OCTET STRING header (EC_POINT is stored wrapped in one). */
function unwrapOctetString(der: Buffer): Buffer {
  if (der[0] !== 0x04 || der.length < 2) return der;
  const first = der[1] ?? 0;
  const headerLength = first < 0x80 ? 2 : 2 + (first & 0x7f);
  return der.subarray(headerLength);
}

/**
 * OpenSC 0.23's `--read-object --type pubkey` cannot export some EC keys (P-384: "cannot create
 * EVP_PKEY"), so EC public keys are rebuilt from the EC_POINT and EC_PARAMS that --list-objects prints.
 */
function ecSpkiFromListing(listing: string, id: string): Buffer | undefined {
  const blocks = listing.split(/\n(?=\S)/);
  for (const block of blocks) {
    if (!block.startsWith('Public Key Object') || !new RegExp(`^\\s*ID:\\s*${id}\\s*$`, 'im').test(block)) continue;
    const point = /EC_POINT:\s*([0-9a-f]+)/i.exec(block)?.[1];
    const params = /EC_PARAMS:\s*([0-9a-f]+)/i.exec(block)?.[1];
    const crv = params ? CURVES[params.toLowerCase()] : undefined;
    if (!point || !crv) return undefined;
    const raw = unwrapOctetString(Buffer.from(point, 'hex'));
    const size = (raw.length - 1) / 2;
    const jwk = { kty: 'EC', crv, x: raw.subarray(1, 1 + size).toString('base64url'), y: raw.subarray(1 + size).toString('base64url') };
    return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
  }
  return undefined;
}

export async function createSoftHsm(): Promise<SoftHsm> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kapi-softhsm-'));
  const confPath = path.join(dir, 'softhsm2.conf');
  await writeFile(confPath, `directories.tokendir = ${dir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, SOFTHSM2_CONF: confPath };
  const tool = (label: string, ...args: string[]) => run('pkcs11-tool', ['--module', SOFTHSM_MODULE, '--token-label', label, ...args], env);
  let files = 0;

  return {
    dir,
    confPath,
    module: SOFTHSM_MODULE,
    env,
    async initToken(label, pin, soPin = DEFAULT_SO_PIN) {
      recordSecret('PIN', pin, 'SoftHSM token PIN');
      recordSecret('PIN', soPin, 'SoftHSM security officer PIN');
      await run('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin], env);
    },
    async generateKeyPair(label, pin, { id, type, keyLabel }) {
      recordSecret('PIN', pin, 'SoftHSM token PIN');
      await tool(label, '--login', '--pin', pin, '--keypairgen', '--key-type', type, '--id', id, ...(keyLabel ? ['--label', keyLabel] : []));
    },
    async readPublicKey(label, id) {
      const file = path.join(dir, `pub-${++files}.der`);
      try {
        await tool(label, '--read-object', '--type', 'pubkey', '--id', id, '--output-file', file);
        return await readFile(file);
      } catch (err) {
        const spki = ecSpkiFromListing(await tool(label, '--list-objects', '--type', 'pubkey'), id);
        if (spki) return spki;
        throw err;
      }
    },
    async writeCertificate(label, pin, id, der, certLabel) {
      recordSecret('PIN', pin, 'SoftHSM token PIN');
      const file = path.join(dir, `cert-${++files}.der`);
      await writeFile(file, der);
      await tool(label, '--login', '--pin', pin, '--write-object', file, '--type', 'cert', '--id', id, ...(certLabel ? ['--label', certLabel] : []));
    },
    async withEnv(action) {
      const previous = process.env.SOFTHSM2_CONF;
      process.env.SOFTHSM2_CONF = confPath;
      try {
        return await action();
      } finally {
        if (previous === undefined) delete process.env.SOFTHSM2_CONF;
        else process.env.SOFTHSM2_CONF = previous;
      }
    },
    async destroy() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
