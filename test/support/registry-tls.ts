import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// Certificates for the population registry's mutual TLS in tests, made with the openssl command (the
// way an operator makes a test set; README "Population registry"): a CA that issues the simulator's
// server certificate (for 127.0.0.1) and Kapı's client certificate, and a stranger's CA with a client
// certificate of its own, which the registry must refuse. Throw-away files in a temporary directory.

const run = promisify(execFile);

export interface TlsFiles {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  strangerCertFile: string;
  strangerKeyFile: string;
  /** The same, read (PEM). */
  pem: { ca: Buffer; serverCert: Buffer; serverKey: Buffer; clientCert: Buffer; clientKey: Buffer; strangerCert: Buffer; strangerKey: Buffer };
  remove(): Promise<void>;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

async function ca(dir: string, name: string): Promise<void> {
  await run('openssl', [
    'req',
    '-x509',
    ...EC,
    '-days',
    '2',
    '-subj',
    `/O=Kapi Test/CN=${name} CA`,
    '-keyout',
    path.join(dir, `${name}-ca.key`),
    '-out',
    path.join(dir, `${name}-ca.pem`),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

async function leaf(dir: string, issuer: string, name: string, extensions: string[]): Promise<void> {
  await run('openssl', [
    'req',
    '-x509',
    ...EC,
    '-days',
    '2',
    '-subj',
    `/O=Kapi Test/CN=${name}`,
    '-keyout',
    path.join(dir, `${name}.key`),
    '-out',
    path.join(dir, `${name}.pem`),
    '-CA',
    path.join(dir, `${issuer}-ca.pem`),
    '-CAkey',
    path.join(dir, `${issuer}-ca.key`),
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    ...extensions.flatMap((e) => ['-addext', e]),
  ]);
}

export async function createRegistryTls(): Promise<TlsFiles> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kapi-registry-tls-'));
  await ca(dir, 'registry');
  await ca(dir, 'stranger');
  await leaf(dir, 'registry', 'registry-server', ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'extendedKeyUsage=serverAuth']);
  await leaf(dir, 'registry', 'kapi-client', ['extendedKeyUsage=clientAuth']);
  await leaf(dir, 'stranger', 'stranger-client', ['extendedKeyUsage=clientAuth']);
  const file = (name: string) => path.join(dir, name);
  const files = {
    caFile: file('registry-ca.pem'),
    serverCertFile: file('registry-server.pem'),
    serverKeyFile: file('registry-server.key'),
    clientCertFile: file('kapi-client.pem'),
    clientKeyFile: file('kapi-client.key'),
    strangerCertFile: file('stranger-client.pem'),
    strangerKeyFile: file('stranger-client.key'),
  };
  return {
    dir,
    ...files,
    pem: {
      ca: await readFile(files.caFile),
      serverCert: await readFile(files.serverCertFile),
      serverKey: await readFile(files.serverKeyFile),
      clientCert: await readFile(files.clientCertFile),
      clientKey: await readFile(files.clientKeyFile),
      strangerCert: await readFile(files.strangerCertFile),
      strangerKey: await readFile(files.strangerKeyFile),
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
