import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import type { StateStore } from '../../../adapters/storage/port.js';
import type { DeviceRegistry, RegisteredDevice } from './device-registry.js';

// What a registered device signs with its P-256 key (ES256, compact JWS, `kid` = device id):
// - every request to the device API: { htm, htu, iat, jti } (typ kapi-device+jwt), so a request
//   cannot be replayed or sent to another endpoint;
// - every answer to an approval: { aid, nonce, decision, number, iat } (typ kapi-approval+jwt), so an
//   answer belongs to exactly one approval of one login.

export const REQUEST_TYP = 'kapi-device+jwt';
export const ANSWER_TYP = 'kapi-approval+jwt';
/** How long a proof stays fresh by Kapı's clock (the window of DPoP proofs at Kapı's own endpoints). */
export const PROOF_AGE_SECONDS = 120;

export type ProofFailure = 'malformed' | 'unknown_device' | 'bad_signature' | 'stale' | 'replayed' | 'wrong_target';

export interface ApprovalAnswer {
  aid: string;
  nonce: string;
  decision: 'approve' | 'deny';
  number?: string;
  iat: number;
}

async function verifyWith(device: Pick<RegisteredDevice, 'publicJwk'>, jws: string, typ: string): Promise<Record<string, unknown> | 'bad_signature'> {
  try {
    const key = await importJWK({ ...device.publicJwk, alg: 'ES256' }, 'ES256');
    const { payload, protectedHeader } = await compactVerify(jws, key, { algorithms: ['ES256'] });
    if (protectedHeader.typ !== typ) return 'bad_signature';
    const body = JSON.parse(new TextDecoder().decode(payload)) as unknown;
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : 'bad_signature';
  } catch {
    return 'bad_signature';
  }
}

function deviceIdOf(jws: string): string | undefined {
  try {
    const header = decodeProtectedHeader(jws);
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

export class DeviceProofs {
  /**
   * `clockToleranceSeconds` is KAPI_CLOCK_TOLERANCE_SECONDS, the one allowance for clocks that are off
   * (docs/security.md "Clock skew"): a proof's `iat` may be that far ahead of Kapı's clock, and its age
   * may exceed PROOF_AGE_SECONDS by that much.
   */
  constructor(
    private readonly devices: DeviceRegistry,
    private readonly state: StateStore,
    private readonly clockToleranceSeconds: number,
  ) {}

  #timely(iat: unknown, now: number): boolean {
    return (
      typeof iat === 'number' && Number.isFinite(iat) && iat <= now + this.clockToleranceSeconds && iat >= now - PROOF_AGE_SECONDS - this.clockToleranceSeconds
    );
  }

  /** Authenticates one device API request; the device, or why not. */
  async request(jws: string, htm: string, htu: string, now = Math.floor(Date.now() / 1000)): Promise<RegisteredDevice | ProofFailure> {
    const id = deviceIdOf(jws);
    if (!id) return 'malformed';
    const device = await this.devices.find(id);
    if (!device) return 'unknown_device';
    const body = await verifyWith(device, jws, REQUEST_TYP);
    if (body === 'bad_signature') return body;
    if (body.htm !== htm || body.htu !== htu) return 'wrong_target';
    if (!this.#timely(body.iat, now)) return 'stale';
    if (typeof body.jti !== 'string' || body.jti.length < 16 || body.jti.length > 128) return 'malformed';
    // Each request proof is used once: its jti is kept as long as the proof could still be accepted.
    if (!(await this.state.setIfAbsent(`dvj:{${device.id}}:${body.jti}`, '1', PROOF_AGE_SECONDS + 2 * this.clockToleranceSeconds + 10))) return 'replayed';
    return device;
  }

  /** At registration: the request is signed by the key being registered (the app holds its private part). */
  async newKey(
    publicJwk: RegisteredDevice['publicJwk'],
    jws: string,
    htm: string,
    htu: string,
    now = Math.floor(Date.now() / 1000),
  ): Promise<true | ProofFailure> {
    const body = await verifyWith({ publicJwk }, jws, REQUEST_TYP);
    if (body === 'bad_signature') return body;
    if (body.htm !== htm || body.htu !== htu) return 'wrong_target';
    if (!this.#timely(body.iat, now)) return 'stale';
    if (typeof body.jti !== 'string' || body.jti.length < 16 || body.jti.length > 128) return 'malformed';
    return true;
  }

  /** Verifies an approval answer against the key of the device that sent it. */
  async answer(device: RegisteredDevice, jws: string, now = Math.floor(Date.now() / 1000)): Promise<ApprovalAnswer | ProofFailure> {
    if (deviceIdOf(jws) !== device.id) return 'bad_signature';
    const body = await verifyWith(device, jws, ANSWER_TYP);
    if (body === 'bad_signature') return body;
    if (typeof body.aid !== 'string' || typeof body.nonce !== 'string' || (body.decision !== 'approve' && body.decision !== 'deny')) return 'malformed';
    if (body.number !== undefined && typeof body.number !== 'string') return 'malformed';
    if (!this.#timely(body.iat, now)) return 'stale';
    return { aid: body.aid, nonce: body.nonce, decision: body.decision, number: body.number as string | undefined, iat: body.iat as number };
  }
}
