import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestCa, type IssueLeafOptions, type TestCa, type TestCaResponders } from '../../keys/test-ca.js';
import { decode, type Browser, type Page } from './browser.js';

// Server-side smart-card tests: a test CA with live CRL/OCSP responders on 127.0.0.1, and "cards" whose
// keys live in software, so each refusal can be provoked precisely. The end-to-end test with the real
// signer and a SoftHSM2 token is in interactions/smart-card/test/signer-e2e.test.ts.

export interface TestPki {
  ca: TestCa;
  responders: TestCaResponders;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startTestPki(): Promise<TestPki> {
  const ca = await createTestCa();
  const responders = await ca.startResponders();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-anchors-'));
  const anchors = await ca.writeAnchors(dir);
  return {
    ca,
    responders,
    env: { KAPI_ESIGN_TRUST_ANCHORS: anchors.root, KAPI_IDCARD_TRUST_ANCHORS: anchors.root, KAPI_PKI_INTERMEDIATES: anchors.intermediate },
    close: () => responders.close(),
  };
}

export interface SoftwareCard {
  privateKey: KeyObject;
  certificate: Uint8Array;
  algorithm: 'ES256' | 'RS256';
}

export async function softwareCard(ca: TestCa, leaf: Omit<IssueLeafOptions, 'publicKey'>, kind: 'ec' | 'rsa' = 'ec'): Promise<SoftwareCard> {
  const pair = kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  const certificate = await ca.issueLeaf({ ...leaf, publicKey: new Uint8Array(spki) });
  return { privateKey: pair.privateKey, certificate, algorithm: kind === 'ec' ? 'ES256' : 'RS256' };
}

export function sign(card: SoftwareCard, data: Uint8Array): string {
  const signer = createSign('sha256');
  signer.update(data);
  return signer.sign(card.algorithm === 'ES256' ? { key: card.privateKey, dsaEncoding: 'ieee-p1363' } : card.privateKey).toString('base64url');
}

/** The transaction code shown on the waiting page. */
export function codeOn(page: Page): string {
  const match = /id="transaction-code"[^>]*>([^<]+)</.exec(page.html);
  if (!match) throw new Error(`no transaction code on ${page.url}:\n${page.html.slice(0, 1500)}`);
  return decode(match[1]!.trim());
}

/** What `kapi-signer` does over HTTP, with a software card. */
export async function signerPost(issuer: string, code: string, card: SoftwareCard, options: { tamper?: boolean; chain?: Uint8Array[] } = {}) {
  const challengeRes = await fetch(`${issuer}/smart-card/v1/transactions/${code}`);
  const challenge = (await challengeRes.json()) as { transaction_id: string; challenge: string; profile: string; error?: string };
  if (!challengeRes.ok) return { status: challengeRes.status, body: challenge as Record<string, unknown> };
  const bytes = Buffer.from(challenge.challenge, 'base64url');
  if (options.tamper) bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 1;
  const res = await fetch(`${issuer}/smart-card/v1/transactions/${code}/signature`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      transaction_id: challenge.transaction_id,
      algorithm: card.algorithm,
      signature: sign(card, bytes),
      certificate: Buffer.from(card.certificate).toString('base64'),
      chain: (options.chain ?? []).map((c) => Buffer.from(c).toString('base64')),
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** From the authorization URL to the waiting page of a smart-card method. */
export async function startSmartCard(
  browser: Browser,
  authUrl: string,
  method: 'e-signature' | 'id-card',
  nationalId: string,
  stopAt: (l: string) => boolean,
): Promise<Page> {
  let page = await browser.go(authUrl, {}, stopAt);
  if (page.html.includes('data-method=')) page = await browser.submit(page, {}, { name: 'method', value: method }, stopAt);
  return browser.submit(page, { national_id: nationalId }, { name: 'submit', value: 'start' }, stopAt);
}
