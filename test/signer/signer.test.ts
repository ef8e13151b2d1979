import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { X509Certificate, constants, randomBytes, randomUUID, verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as x509 from '../../adapters/pki/x509.js';
import { createSoftHsm, softHsmAvailable, type SoftHsm, type SoftHsmKeyType } from '../support/softhsm.js';

// The real kapi-signer, run as a child process the way a citizen runs it, against real SoftHSM2
// tokens and a small stand-in for Kapı's side of docs/smart-card-protocol.md on 127.0.0.1. Every
// signature the signer posts is verified here with the certificate's public key. Each run starts
// Node with tsx (2-4 s), so runs are few and independent ones go in parallel.

jest.setTimeout(60_000);

const SIGNER = fileURLToPath(new URL('../../bin/kapi-signer.mjs', import.meta.url));
const PIN = '492817'; // distinctive, so finding it in any output means a leak
const CODE_ALPHABET = 'ACDEFGHJKLMNPQRTUVWXY3479';
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

interface Txn {
  id: string;
  profile: 'e-signature' | 'id-card';
  challenge: Buffer;
  expired: boolean;
  signature?: { transaction_id: string; algorithm: string; signature: string; certificate: string; chain: string[] };
  failure?: { transaction_id: string; reason: string };
}

interface Run {
  args: string[];
  code: number | null;
  stdout: string;
  stderr: string;
}

const describeHsm = softHsmAvailable('kapi-signer tests') ? describe : describe.skip;

let hsm: SoftHsm;
let server: Server;
let base: string;
let caKeys: CryptoKeyPair;
let caDer: Buffer;
const transactions = new Map<string, Txn>();
const runs: Run[] = [];
const certificates = new Map<string, Buffer>(); // "token/id" → DER

async function issue(spki: Buffer, commonName: string): Promise<Buffer> {
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(8)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    subject: `C=TR, 2.5.4.5=10000000146, CN=${commonName}`,
    issuer: 'CN=Test CA',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 365 * 86_400_000),
    publicKey: new Uint8Array(spki), // a copy on its own ArrayBuffer: what BufferSource wants
    signingKey: caKeys.privateKey,
    signingAlgorithm: SIGNING,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true)],
  });
  return Buffer.from(cert.rawData);
}

/** A token with one key pair per entry, each certified by the test CA. */
async function token(label: string, keys: { id: string; type: SoftHsmKeyType; holder: string; certLabel: string }[], withCa = false): Promise<void> {
  await hsm.initToken(label, PIN);
  for (const key of keys) {
    await hsm.generateKeyPair(label, PIN, { id: key.id, type: key.type });
    const der = await issue(await hsm.readPublicKey(label, key.id), key.holder);
    await hsm.writeCertificate(label, PIN, key.id, der, key.certLabel);
    certificates.set(`${label}/${key.id}`, der);
  }
  if (withCa) await hsm.writeCertificate(label, PIN, 'ca', caDer, 'Test CA');
}

function newTransaction(options: { expired?: boolean; iss?: string; profile?: Txn['profile'] } = {}): string {
  const code = Array.from(randomBytes(8), (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
  const id = randomUUID();
  const profile = options.profile ?? 'id-card';
  const nonce = randomBytes(32).toString('base64url');
  // The challenge exactly as the protocol document spells it: keys in this order, no spaces.
  const challenge = `{"purpose":"kapi-smart-card-login","iss":${JSON.stringify(options.iss ?? base)},"txn":${JSON.stringify(id)},"nonce":"${nonce}","iat":${Math.floor(Date.now() / 1000)},"profile":"${profile}"}`;
  transactions.set(code, { id, profile, challenge: Buffer.from(challenge), expired: options.expired ?? false });
  return code;
}

function txn(code: string): Txn {
  const found = transactions.get(code);
  if (!found) throw new Error(`no transaction ${code}`);
  return found;
}

/** Kapı's side of the signer API, just enough to capture what the signer sends. */
function startServer(): Promise<Server> {
  const s = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const match = /^\/smart-card\/v1\/transactions\/([^/]+)(\/signature|\/failure)?$/.exec(req.url ?? '');
    const t = match ? transactions.get(decodeURIComponent(match[1] ?? '')) : undefined;
    if (!match || !t) return reply(404, { error: 'unknown_transaction' });
    if (t.expired) return reply(410, { error: 'transaction_expired', error_description: 'expired' });
    if (req.method === 'GET' && !match[2]) {
      return reply(200, {
        transaction_id: t.id,
        profile: t.profile,
        challenge: t.challenge.toString('base64url'),
        expires_at: new Date(Date.now() + 300_000).toISOString(),
        service: 'Test Belediyesi',
      });
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      if (match[2] === '/signature') {
        if (t.signature) return reply(409, { error: 'transaction_used' });
        t.signature = parsed as unknown as Txn['signature'];
        return reply(200, { status: 'accepted' });
      }
      t.failure = parsed as unknown as Txn['failure'];
      return reply(200, { status: 'recorded' });
    });
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

function signer(args: string[], stdin: string | undefined = `${PIN}\n`): Promise<Run> {
  // A clean environment: the tests choose server and language explicitly.
  const { KAPI_SIGNER_LANG: _lang, KAPI_SIGNER_SERVER: _server, ...env } = hsm.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SIGNER, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const run = { args, code, stdout, stderr };
      runs.push(run);
      resolve(run);
    });
    child.stdin.end(stdin);
  });
}

/** A successful run; otherwise fails showing what the signer said. */
function expectSuccess(run: Run): void {
  if (run.code !== 0) throw new Error(`kapi-signer exited ${run.code}:\n${run.stderr}${run.stdout}`);
}

/** The usual invocation: everything given, PIN on stdin, no questions. */
function sign(code: string, tokenLabel: string, ...extra: string[]): Promise<Run> {
  return signer(['--server', base, '--code', code, '--card', 'softhsm', '--token-label', tokenLabel, '--pin-stdin', '--yes', ...extra]);
}

/** Checks the captured post the way Kapı does: the signature over the exact challenge, with the certificate's key. */
function expectVerified(code: string, algorithm: 'RS256' | 'PS256' | 'ES256' | 'ES384', expectedCert: Buffer | undefined): Buffer {
  const t = txn(code);
  expect(t.failure).toBeUndefined();
  const post = t.signature;
  if (!post) throw new Error('no signature was posted');
  expect(post.transaction_id).toBe(t.id);
  expect(post.algorithm).toBe(algorithm);
  const certificate = Buffer.from(post.certificate, 'base64');
  expect(certificate.equals(expectedCert ?? Buffer.alloc(0))).toBe(true);
  const key = new X509Certificate(certificate).publicKey;
  const signature = Buffer.from(post.signature, 'base64url');
  const options = {
    RS256: { key },
    PS256: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
    ES256: { key, dsaEncoding: 'ieee-p1363' as const },
    ES384: { key, dsaEncoding: 'ieee-p1363' as const },
  }[algorithm];
  expect(verify(algorithm === 'ES384' ? 'sha384' : 'sha256', t.challenge, options, signature)).toBe(true);
  // ...and over nothing else.
  expect(verify(algorithm === 'ES384' ? 'sha384' : 'sha256', Buffer.concat([t.challenge, Buffer.from(' ')]), options, signature)).toBe(false);
  return signature;
}

describeHsm('kapi-signer with SoftHSM2', () => {
  beforeAll(async () => {
    hsm = await createSoftHsm();
    server = await startServer();
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    caKeys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const ca = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: 'CN=Test CA',
      keys: caKeys,
      signingAlgorithm: SIGNING,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 3650 * 86_400_000),
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    });
    caDer = Buffer.from(ca.rawData);
    await token('Kapi RSA', [{ id: '01', type: 'rsa:2048', holder: 'Ayşe Yılmaz', certLabel: 'Kimlik Doğrulama' }], true);
    await token('Kapi P256', [{ id: '01', type: 'EC:prime256v1', holder: 'Ayşe Yılmaz', certLabel: 'Kimlik Doğrulama' }]);
    await token('Kapi P384', [{ id: '01', type: 'EC:secp384r1', holder: 'Ayşe Yılmaz', certLabel: 'Kimlik Doğrulama' }]);
    await token('Kapi Two', [
      { id: '01', type: 'rsa:2048', holder: 'Ayşe Yılmaz', certLabel: 'Kimlik Doğrulama' },
      { id: '02', type: 'EC:prime256v1', holder: 'Mehmet Demir', certLabel: 'e-İmza' },
    ]);
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await hsm?.destroy();
  });

  it('signs RS256 with an RSA key and sends the CA certificate found on the token as the chain', async () => {
    const code = newTransaction();
    // Typed the way people type it: lower case, with the dash.
    const run = await sign(`${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`, 'Kapi RSA', '--json');
    expectSuccess(run);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ status: 'accepted', transaction_id: txn(code).id, algorithm: 'RS256', holder: 'Ayşe Yılmaz', issuer: 'Test CA' });
    expectVerified(code, 'RS256', certificates.get('Kapi RSA/01'));
    expect(txn(code).signature?.chain).toEqual([caDer.toString('base64')]);
  });

  it('signs PS256 with --rsa-pss and tells the person in Turkish', async () => {
    const code = newTransaction({ profile: 'e-signature' });
    const run = await sign(code, 'Kapi RSA', '--rsa-pss');
    expectSuccess(run);
    expect(run.stdout).toContain('Giriş onaylandı');
    expect(run.stderr).toContain('Test Belediyesi');
    expectVerified(code, 'PS256', certificates.get('Kapi RSA/01'));
  });

  it('signs ES256 with a P-256 key and ES384 with a P-384 key (raw r‖s)', async () => {
    const [c256, c384] = [newTransaction(), newTransaction()];
    const [r256, r384] = await Promise.all([sign(c256, 'Kapi P256'), sign(c384, 'Kapi P384')]);
    expectSuccess(r256);
    expectSuccess(r384);
    expect(expectVerified(c256, 'ES256', certificates.get('Kapi P256/01'))).toHaveLength(64);
    expect(expectVerified(c384, 'ES384', certificates.get('Kapi P384/01'))).toHaveLength(96);
  });

  it('with two certificates, --cert chooses (by number or label) and --yes without --cert fails listing them', async () => {
    const [byNumber, byLabel, none] = [newTransaction(), newTransaction(), newTransaction()];
    // One signer at a time on one token: SoftHSM's file store is not made for concurrent processes (two at
    // once answered CKR_GENERAL_ERROR on a loaded CI machine).
    const r1 = await sign(byNumber, 'Kapi Two', '--cert', '2');
    const r3 = await sign(none, 'Kapi Two');
    const r2 = await sign(byLabel, 'Kapi Two', '--cert', 'Kimlik Doğrulama');
    expectSuccess(r1);
    expectVerified(byNumber, 'ES256', certificates.get('Kapi Two/02'));
    expectSuccess(r2);
    expectVerified(byLabel, 'RS256', certificates.get('Kapi Two/01'));
    expect(r3.code).toBe(1);
    expect(r3.stderr).toContain('--cert');
    expect(r3.stderr).toContain('Ayşe Yılmaz');
    expect(r3.stderr).toContain('Mehmet Demir');
    // A missing option is fixed by running again with the same code: nothing is reported to Kapı.
    expect(txn(none).signature).toBeUndefined();
    expect(txn(none).failure).toBeUndefined();
  });

  it('a wrong PIN exits non-zero with a Turkish message and reports pin_incorrect to Kapı', async () => {
    const code = newTransaction();
    const run = await signer(['--server', base, '--code', code, '--card', 'softhsm', '--token-label', 'Kapi P256', '--pin-stdin', '--yes'], '000000\n');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('PIN hatalı');
    expect(txn(code).signature).toBeUndefined();
    expect(txn(code).failure).toEqual({ transaction_id: txn(code).id, reason: 'pin_incorrect' });
  });

  it('--list shows tokens and certificates without a PIN', async () => {
    const [human, json] = await Promise.all([
      signer(['--list', '--card', 'softhsm'], ''),
      signer(['--list', '--card', 'softhsm', '--json', '--lang', 'en'], ''),
    ]);
    expectSuccess(human);
    expect(human.stdout).toContain('Token: Kapi Two');
    expect(human.stdout).toMatch(/1\) Ayşe Yılmaz · veren: Test CA · etiket: Kimlik Doğrulama · id: 01/);
    expect(human.stdout).toMatch(/2\) Mehmet Demir · veren: Test CA · etiket: e-İmza · id: 02/);
    expect(human.stdout).toContain('kök/ara sertifika');
    expectSuccess(json);
    const listed = JSON.parse(json.stdout) as { tokens: { label: string; certificates: { holder: string; key: string }[]; ca_certificates: unknown[] }[] };
    expect(listed.tokens.map((t) => t.label).sort()).toEqual(['Kapi P256', 'Kapi P384', 'Kapi RSA', 'Kapi Two']);
    const two = listed.tokens.find((t) => t.label === 'Kapi Two');
    expect(two?.certificates.map((c) => [c.holder, c.key])).toEqual([
      ['Ayşe Yılmaz', 'RSA 2048'],
      ['Mehmet Demir', 'EC P-256'],
    ]);
    expect(listed.tokens.find((t) => t.label === 'Kapi RSA')?.ca_certificates).toHaveLength(1);
  });

  it('an expired transaction gives a clear message in either language and exits non-zero, before any PIN is used', async () => {
    const code = newTransaction({ expired: true });
    const [tr, en] = await Promise.all([sign(code, 'Kapi P256'), sign(code, 'Kapi P256', '--lang', 'en', '--json')]);
    expect(tr.code).toBe(1);
    expect(tr.stderr).toContain('İşlemin süresi doldu');
    expect(en.code).toBe(1);
    expect(en.stderr).toContain('The transaction has expired');
    expect(JSON.parse(en.stdout)).toMatchObject({ status: 'error', error: 'transaction_expired' });
  });

  it('refuses to sign a challenge that is not a Kapı login from this server', async () => {
    const code = newTransaction({ iss: 'https://elsewhere.example' });
    const run = await sign(code, 'Kapi P256');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('hiçbir şey imzalanmadı');
    expect(txn(code).signature).toBeUndefined();
    expect(txn(code).failure).toBeUndefined();
  });

  it('refuses a PIN on the command line without repeating it', async () => {
    const [equals, separate] = await Promise.all([signer(['--card', 'softhsm', `--pin=${PIN}`], ''), signer(['--card', 'softhsm', '--pin', PIN], '')]);
    for (const run of [equals, separate]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('PIN komut satırında verilemez');
    }
  });

  it('never shows the PIN: not in any output, and not in the argv of any signing run', () => {
    expect(runs.length).toBeGreaterThan(10);
    for (const run of runs) {
      expect(run.stdout).not.toContain(PIN);
      expect(run.stderr).not.toContain(PIN);
      if (!run.args.some((a) => a.startsWith('--pin') && a !== '--pin-stdin')) expect(run.args.join(' ')).not.toContain(PIN);
    }
  });
});
