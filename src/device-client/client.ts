import { createHash, randomUUID } from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { DeviceState } from './state.js';

// What the mobile app does against the device API (/device/v1), as a library: `kapi-device` (main.ts)
// and the tests use it. It imports nothing from Kapı's server code: it only speaks HTTP.

export interface PendingApproval {
  id: string;
  nonce: string;
  /** Empty: the person types the number the sign-in page shows (kept for the earlier picking contract). */
  choices: string[];
  clientName: string;
  ip: string;
  place?: string;
  userAgent: string;
  iat: number;
  exp: number;
  scanned?: boolean;
}

export class DeviceApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
  ) {
    super(`${status} ${error}: ${description}`);
    this.name = 'DeviceApiError';
  }
}

/** A new P-256 key pair for a device, as JWKs. */
export async function newDeviceKeys(): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
}

async function requestProof(privateJwk: JWK, kid: string | undefined, htm: string, htu: string): Promise<string> {
  const key = await importJWK(privateJwk, 'ES256');
  const body = new TextEncoder().encode(JSON.stringify({ htm, htu, iat: Math.floor(Date.now() / 1000), jti: randomUUID() }));
  return new CompactSign(body).setProtectedHeader({ alg: 'ES256', typ: 'kapi-device+jwt', ...(kid ? { kid } : {}) }).sign(key);
}

/** A DPoP proof (RFC 9449) for a resource request with a DPoP-bound access token. */
export async function dpopProof(dpopPrivateJwk: JWK, htm: string, htu: string, accessToken?: string, nonce?: string): Promise<string> {
  const { d: _d, ...publicJwk } = dpopPrivateJwk;
  const alg = dpopPrivateJwk.kty === 'EC' ? 'ES256' : dpopPrivateJwk.kty === 'OKP' ? 'EdDSA' : 'PS256';
  const key = await importJWK(dpopPrivateJwk, alg);
  const claims: Record<string, string> = { htm, htu, jti: randomUUID() };
  if (accessToken) claims.ath = createHash('sha256').update(accessToken).digest('base64url');
  if (nonce) claims.nonce = nonce;
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'dpop+jwt', jwk: publicJwk }).setIssuedAt().sign(key);
}

export class DeviceClient {
  constructor(readonly state: DeviceState) {}

  #url(path: string): string {
    return `${this.state.server.replace(/\/$/, '')}${path}`;
  }

  async #call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<unknown> {
    const url = this.#url(path);
    const all: Record<string, string> = { accept: 'application/json', ...headers };
    if (body !== undefined) all['content-type'] = 'application/json';
    if (!all.authorization) all.authorization = `Device ${await requestProof(this.state.privateJwk, this.state.deviceId, method, url)}`;
    const res = await fetch(url, {
      method,
      headers: all,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 204) return undefined;
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      throw new DeviceApiError(res.status, 'invalid_response', text.slice(0, 200));
    }
    if (!res.ok) throw new DeviceApiError(res.status, String(json.error ?? 'error'), String(json.error_description ?? ''));
    return json;
  }

  /** Registers this key with the account behind a DPoP-bound access token of the e-Devlet app. */
  async register(input: { name: string; accessToken: string; dpopPrivateJwk: JWK; pushToken?: string | undefined }): Promise<{ device_id: string }> {
    const url = this.#url('/device/v1/devices');
    const keyProof = await requestProof(this.state.privateJwk, undefined, 'POST', url);
    const out = (await this.#call(
      'POST',
      '/device/v1/devices',
      { name: input.name, public_jwk: this.state.publicJwk, key_proof: keyProof, ...(input.pushToken ? { push_token: input.pushToken } : {}) },
      {
        authorization: `DPoP ${input.accessToken}`,
        dpop: await dpopProof(input.dpopPrivateJwk, 'POST', url, input.accessToken),
      },
    )) as { device_id: string };
    this.state.deviceId = out.device_id;
    this.state.name = input.name;
    return out;
  }

  async pending(): Promise<PendingApproval[]> {
    return ((await this.#call('GET', '/device/v1/approvals')) as { approvals: PendingApproval[] }).approvals;
  }

  /** Answers an approval: a JWS over its id and nonce (and the number the person picked). */
  async answer(approval: Pick<PendingApproval, 'id' | 'nonce'>, decision: 'approve' | 'deny', number?: string): Promise<string> {
    const key = await importJWK(this.state.privateJwk, 'ES256');
    const payload = { aid: approval.id, nonce: approval.nonce, decision, ...(number !== undefined ? { number } : {}), iat: Math.floor(Date.now() / 1000) };
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'ES256', typ: 'kapi-approval+jwt', kid: this.state.deviceId! })
      .sign(key);
    return ((await this.#call('POST', `/device/v1/approvals/${encodeURIComponent(approval.id)}/answer`, { answer: jws })) as { status: string }).status;
  }

  async scan(payload: string): Promise<PendingApproval> {
    return ((await this.#call('POST', '/device/v1/scan', { payload })) as { approval: PendingApproval }).approval;
  }

  async remove(): Promise<void> {
    await this.#call('DELETE', '/device/v1/devices/current');
  }
}
