import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { StateStore } from '../../../adapters/storage/port.js';
import { constantTimeEqual, sha256 } from '../../../src/security/crypto.js';

// Approvals: the out-of-band half of the registered-device second factor. The waiting browser opens
// one; the device reads it (pushed, in the app's "Mobile Approval" list, or by scanning the QR code on
// the login page) and answers with a JWS signed by its key. Each approval is one record in the state
// store, changed only by compare-and-set (DESIGN.md "Flow state and out-of-band results"): two answers
// cannot both win, and only the browser's own request turns an approved record into a completed method.
// The account's pending list is a second record, also changed by compare-and-set.

export const APPROVAL_SECONDS = 120;

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'refused';

export interface Approval {
  id: string;
  accountId: string;
  /** Signed back by the device with the id: an answer belongs to exactly this approval. */
  nonce: string;
  /**
   * Number matching: shown by the browser, typed on the phone (issue 25: with three numbers to pick
   * from, a reflex tap approved one attacker's push in three; a typed number, one in ninety).
   */
  number: string;
  /** Kept empty for apps of the earlier picking contract: there is nothing to pick any more. */
  choices: string[];
  /** The opening browser's own device id for the person (device cookie), if any: its refusal locks only it. */
  browser?: string;
  /** SHA-256 of the secret in the QR code shown on this login's page. */
  qrSecretHash: string;
  clientName: string;
  ip: string;
  /** Approximate place of the browser's address ('local' for private networks), when known. */
  place?: string | undefined;
  userAgent: string;
  iat: number;
  exp: number;
  status: ApprovalStatus;
  /** Why a device answer was refused (wrong number): the approval is then closed. */
  reason?: string;
  deviceId?: string;
  via?: 'push' | 'list' | 'qr';
}

/** What a device is shown: enough to judge the request, nothing to shortcut it (not the number). */
export interface ApprovalView {
  id: string;
  nonce: string;
  choices: string[];
  clientName: string;
  ip: string;
  place?: string | undefined;
  userAgent: string;
  iat: number;
  exp: number;
}

export function viewOf(a: Approval): ApprovalView {
  return {
    id: a.id,
    nonce: a.nonce,
    choices: a.choices,
    clientName: a.clientName,
    ip: a.ip,
    ...(a.place ? { place: a.place } : {}),
    userAgent: a.userAgent,
    iat: a.iat,
    exp: a.exp,
  };
}

function twoDigits(): string {
  return String(randomInt(10, 100));
}

/** The QR payload: the approval id and a secret only the login page shows. */
export function qrPayload(approvalId: string, secret: string): string {
  return `kapi-approval:${approvalId}:${secret}`;
}

export function parseQrPayload(payload: string): { approvalId: string; secret: string } | undefined {
  const m = /^kapi-approval:(dva_[0-9a-f-]{36}):([A-Za-z0-9_-]{20,100})$/.exec(payload);
  return m ? { approvalId: m[1]!, secret: m[2]! } : undefined;
}

export class Approvals {
  constructor(private readonly state: StateStore) {}

  #key(id: string): string {
    return `dva:{${id}}`;
  }

  #listKey(accountId: string): string {
    return `dvl:{${accountId}}`;
  }

  async open(
    input: { accountId: string; clientName: string; ip: string; place?: string | undefined; userAgent: string; browser?: string | undefined },
    now = Math.floor(Date.now() / 1000),
  ): Promise<{ approval: Approval; qrSecret: string }> {
    const number = twoDigits();
    const qrSecret = randomBytes(24).toString('base64url');
    const approval: Approval = {
      id: `dva_${randomUUID()}`,
      accountId: input.accountId,
      nonce: randomBytes(24).toString('base64url'),
      number,
      choices: [],
      ...(input.browser ? { browser: input.browser } : {}),
      qrSecretHash: sha256(qrSecret),
      clientName: input.clientName,
      ip: input.ip,
      ...(input.place ? { place: input.place } : {}),
      userAgent: input.userAgent.slice(0, 200),
      iat: now,
      exp: now + APPROVAL_SECONDS,
      status: 'pending',
    };
    await this.state.set(this.#key(approval.id), JSON.stringify(approval), APPROVAL_SECONDS + 120);
    await this.#changeList(input.accountId, (ids) => [...ids, approval.id]);
    return { approval, qrSecret };
  }

  async find(id: string): Promise<{ approval: Approval; raw: string } | undefined> {
    const raw = await this.state.get(this.#key(id));
    return raw ? { approval: JSON.parse(raw) as Approval, raw } : undefined;
  }

  /** Moves an approval on, only if nobody else changed it since it was read. */
  async update(current: { approval: Approval; raw: string }, next: Approval): Promise<boolean> {
    const ttl = Math.max(60, next.exp - Math.floor(Date.now() / 1000) + 120);
    const ok = await this.state.compareAndSet(this.#key(next.id), current.raw, JSON.stringify(next), ttl);
    if (ok && next.status !== 'pending') await this.#changeList(next.accountId, (ids) => ids.filter((i) => i !== next.id));
    return ok;
  }

  async close(id: string): Promise<void> {
    const found = await this.find(id);
    await this.state.del(this.#key(id));
    if (found) await this.#changeList(found.approval.accountId, (ids) => ids.filter((i) => i !== id));
  }

  /** The account's approvals still waiting for an answer (the app's "Mobile Approval" list). */
  async pendingFor(accountId: string, now = Math.floor(Date.now() / 1000)): Promise<Approval[]> {
    const raw = await this.state.get(this.#listKey(accountId));
    const ids = raw ? (JSON.parse(raw) as string[]) : [];
    const out: Approval[] = [];
    for (const id of ids) {
      const found = await this.find(id);
      if (found && found.approval.status === 'pending' && found.approval.exp >= now) out.push(found.approval);
    }
    return out;
  }

  qrMatches(approval: Approval, secret: string): boolean {
    return constantTimeEqual(sha256(secret), approval.qrSecretHash);
  }

  async #changeList(accountId: string, change: (ids: string[]) => string[]): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const raw = await this.state.get(this.#listKey(accountId));
      const ids = raw ? (JSON.parse(raw) as string[]) : [];
      // Drop ids whose record is gone (expired) so the list stays short.
      const live: string[] = [];
      for (const id of change(ids)) if (await this.state.get(this.#key(id))) live.push(id);
      if (await this.state.compareAndSet(this.#listKey(accountId), raw, JSON.stringify(live.slice(-20)), APPROVAL_SECONDS + 120)) return;
    }
  }
}
