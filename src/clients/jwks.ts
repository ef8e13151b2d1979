import { KapiError } from '../errors.js';
import type { ClientInput } from './client-service.js';

/** Members of a JWK that only a private (or symmetric) key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'] as const;

/**
 * An institution's public keys as given by an operator (`kapi clients --jwks-file`, the console's
 * upload): a JSON Web Key Set with at least one key and no private key material. A key set with
 * private parts is a leaked key: it is refused, never stored. `source` names what was given, for the message.
 */
export function parseJwks(text: string, source: string): NonNullable<ClientInput['jwks']> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new KapiError('invalid_request', `${source}: ${(err as Error).message}`);
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || !keys.length || !keys.every((k) => k !== null && typeof k === 'object' && !Array.isArray(k))) {
    throw new KapiError('invalid_request', `${source}: expected a JSON Web Key Set, {"keys": [...]} with at least one key`);
  }
  if (keys.some((k: Record<string, unknown>) => PRIVATE_MEMBERS.some((m) => m in k))) {
    throw new KapiError('invalid_request', `${source}: contains private key material; give the institution's public keys only`);
  }
  return { keys: keys as Record<string, unknown>[] };
}
