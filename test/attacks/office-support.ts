import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWK } from 'jose';
import { accountFromPerson } from '../../src/accounts/account-repository.js';
import { REGISTRAR_CONSOLE_CLIENT_ID } from '../../src/registrar/demo-seed.js';
import { registrarAudience } from '../../src/web/registrar-api/token.js';
import type { TestKapi } from '../support/kapi.js';

// Callers of the registrar API for the role matrix of office issuance. The registrar's own token comes
// from a real smart-card sign-in (test/registrar/support.ts); the variants a sign-in cannot produce on
// demand (a token at `substantial`, one expired, one issued before a revocation) are access tokens as
// Kapı issues them to the demo registrar console: signed with Kapı's own key, for the API's audience.

export interface MintOptions {
  accountId: string;
  acr?: 'low' | 'substantial' | 'high';
  /** Seconds from now; negative: in the past. */
  expiresIn?: number;
  /** Seconds from now of `iat` (default: 2 seconds ago). */
  issuedAt?: number;
}

const now = () => Math.floor(Date.now() / 1000);

export async function mintRegistrarToken(t: TestKapi, options: MintOptions): Promise<string> {
  const { keys } = await t.kapi.services.keys.providerJwks();
  const signing = keys.find((k) => !k.key_ops && k.kty === 'EC') ?? keys.find((k) => !k.key_ops);
  if (!signing) throw new Error('no active signing key');
  const alg = signing.kty === 'EC' ? 'ES256' : typeof signing.alg === 'string' ? signing.alg : 'RS256';
  const iat = now() + (options.issuedAt ?? -2);
  return new SignJWT({ client_id: REGISTRAR_CONSOLE_CLIENT_ID, scope: 'openid registrar', acr: options.acr ?? 'high' })
    .setProtectedHeader({ alg, typ: 'at+jwt', kid: signing.kid })
    .setIssuer(t.issuer)
    .setAudience(registrarAudience(t.issuer))
    .setSubject(options.accountId)
    .setIssuedAt(iat)
    .setExpirationTime(now() + (options.expiresIn ?? 600))
    .setJti(randomUUID())
    .sign(await importJWK(signing as JWK, alg));
}

/** The person's account, created from the population registry if she has none yet. */
export async function accountOf(t: TestKapi, nationalId: string): Promise<string> {
  const services = t.kapi.services;
  const existing = await services.accounts.findByNationalId(nationalId);
  if (existing) return existing.id;
  const person = await services.registry.lookup(nationalId);
  if (!person) throw new Error(`${nationalId} is not in the registry fixtures`);
  return (await services.accounts.create(accountFromPerson(person))).id;
}

/** What the office's books hold: issuances (with fees) and cancellations. */
export async function books(t: TestKapi, nationalId: string): Promise<{ issuances: number; fees: number[]; cancellations: number }> {
  const db = t.kapi.services.db;
  const account = await t.kapi.services.accounts.findByNationalId(nationalId);
  if (!account) return { issuances: 0, fees: [], cancellations: 0 };
  const issued = (await db('registrar_issuances').where({ account_id: account.id }).orderBy('at').select('fee_kurus')) as { fee_kurus: number }[];
  const cancelled = await db('registrar_cancellations').where({ account_id: account.id }).select('id');
  return { issuances: issued.length, fees: issued.map((r) => Number(r.fee_kurus)), cancellations: cancelled.length };
}
