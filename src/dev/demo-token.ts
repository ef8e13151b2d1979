import { execFile, spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FixtureRegistry } from '../../adapters/population-registry/simulator.js';
import { createTestCa } from '../../keys/test-ca.js';
import { KapiError } from '../errors.js';

// `kapi dev token`: a SoftHSM2 token that behaves like a citizen's card on the embedded demo: an
// authentication key (ID card) and a qualified signing key (e-signature), each with a certificate from
// the demo test CA that the demo server trusts (interactions/smart-card/trust.ts). Development only.

export const DEMO_PIN = '123456';
const SO_PIN = '12345678';
const MODULE = process.env.SOFTHSM2_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so';

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new KapiError('internal', `${command} failed: ${stderr.toString().trim() || error.message}`));
      else resolve(stdout.toString());
    });
  });
}

export interface DemoToken {
  confPath: string;
  tokenLabel: string;
  pin: string;
  module: string;
}

export async function createDemoToken(options: { dataDir: string; nationalId: string; caDir: string; responderBaseUrl: string }): Promise<DemoToken> {
  for (const tool of ['softhsm2-util', 'pkcs11-tool']) {
    if (spawnSync('which', [tool]).status !== 0) throw new KapiError('config_invalid', `${tool} is not installed: apt-get install softhsm2 opensc`);
  }
  const person = await new FixtureRegistry().lookup(options.nationalId);
  if (!person) throw new KapiError('invalid_request', `${options.nationalId} is not a person of the demo population registry`);

  const dir = path.join(options.dataDir, 'softhsm');
  const tokens = path.join(dir, 'tokens');
  await mkdir(tokens, { recursive: true });
  const confPath = path.join(dir, 'softhsm2.conf');
  await writeFile(confPath, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const env = { ...process.env, SOFTHSM2_CONF: confPath };
  const tokenLabel = `kapi-demo-${person.nationalId}`;
  await run('softhsm2-util', ['--delete-token', '--token', tokenLabel], env).catch(() => undefined);
  await run('softhsm2-util', ['--init-token', '--free', '--label', tokenLabel, '--pin', DEMO_PIN, '--so-pin', SO_PIN], env);
  const tool = (...args: string[]) => run('pkcs11-tool', ['--module', MODULE, '--token-label', tokenLabel, ...args], env);

  const ca = await createTestCa({ name: 'Kapi Demo', dir: options.caDir });
  const keys = [
    { id: '01', label: 'Kimlik Doğrulama', profile: 'id-card' as const },
    { id: '02', label: 'Nitelikli İmza', profile: 'e-signature' as const },
  ];
  for (const key of keys) {
    await tool('--login', '--pin', DEMO_PIN, '--keypairgen', '--key-type', 'rsa:2048', '--id', key.id, '--label', key.label);
    const pubFile = path.join(dir, `pub-${key.id}.der`);
    await tool('--read-object', '--type', 'pubkey', '--id', key.id, '--output-file', pubFile);
    const certificate = await ca.issueLeaf({
      publicKey: new Uint8Array(await readFile(pubFile)),
      nationalId: person.nationalId,
      givenName: person.givenName,
      familyName: person.familyName,
      profile: key.profile,
      responderBaseUrl: options.responderBaseUrl,
    });
    const certFile = path.join(dir, `cert-${key.id}.der`);
    await writeFile(certFile, certificate);
    await tool('--login', '--pin', DEMO_PIN, '--write-object', certFile, '--type', 'cert', '--id', key.id, '--label', key.label);
    await rm(pubFile, { force: true });
    await rm(certFile, { force: true });
  }
  return { confPath, tokenLabel, pin: DEMO_PIN, module: MODULE };
}
