import type { Knex } from 'knex';
import type Provider from 'oidc-provider';
import { log } from '../log.js';

const BASE_DELAY_S = 10;
const MAX_DELAY_S = 3600;
/** How long a logout keeps being retried, from its first failure (DESIGN.md, third round, "Endings"). */
export const RETRY_WINDOW_S = 24 * 3600;

/**
 * oidc-provider sends a back-channel logout token once. When an institution is down, the delivery is
 * written here and a worker retries it with exponential back-off (10 s doubling to 1 h) for 24 hours
 * from the first failure, then records it as abandoned (`abandoned_at`, with the last error), so a
 * logout is neither sent once and forgotten nor retried for ever. Rows are claimed with SKIP LOCKED, so
 * several Kapı processes can run the worker side by side.
 */
export class LogoutOutbox {
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(
    private readonly db: Knex,
    private readonly provider: () => Provider,
  ) {}

  async enqueue(clientId: string, accountId: string, sid: string | undefined, error: string): Promise<void> {
    await this.db('logout_outbox').insert({
      client_id: clientId,
      account_id: accountId,
      sid: sid ?? null,
      attempts: 1,
      last_error: error.slice(0, 500),
      next_attempt_at: new Date(Date.now() + BASE_DELAY_S * 1000),
    });
  }

  /** Delivers what is due; returns how many deliveries succeeded. */
  async runOnce(now = new Date()): Promise<number> {
    if (this.#running) return 0;
    this.#running = true;
    let delivered = 0;
    try {
      const due = await this.db.transaction(async (trx) => {
        const rows = await trx('logout_outbox')
          .whereNull('delivered_at')
          .whereNull('abandoned_at')
          .andWhere('next_attempt_at', '<=', now)
          .orderBy('id')
          .limit(20)
          .forUpdate()
          .skipLocked();
        // Push the claimed rows ahead so that another process does not pick them while we send.
        if (rows.length)
          await trx('logout_outbox')
            .whereIn(
              'id',
              rows.map((r) => r.id),
            )
            .update({ next_attempt_at: new Date(now.getTime() + 60_000) });
        return rows as { id: number; client_id: string; account_id: string; sid: string | null; attempts: number; created_at: Date }[];
      });
      for (const row of due) {
        try {
          const client = await this.provider().Client.find(row.client_id);
          if (!client) {
            await this.db('logout_outbox').where({ id: row.id }).update({ abandoned_at: new Date(), last_error: 'client no longer exists' });
            continue;
          }
          const target = client as unknown as { backchannelLogoutUri?: string; backchannelLogout(sub: string, sid?: string): Promise<void> };
          // Sessions ended without a provider at hand (the `kapi` command) queue every institution of the session.
          if (!target.backchannelLogoutUri) {
            await this.db('logout_outbox').where({ id: row.id }).update({ abandoned_at: new Date(), last_error: 'institution has no back-channel logout URI' });
            continue;
          }
          await target.backchannelLogout(row.account_id, row.sid ?? undefined);
          await this.db('logout_outbox')
            .where({ id: row.id })
            .update({ delivered_at: new Date(), attempts: row.attempts + 1 });
          delivered += 1;
        } catch (err) {
          const attempts = row.attempts + 1;
          const delay = Math.min(BASE_DELAY_S * 2 ** attempts, MAX_DELAY_S);
          const next = new Date(Date.now() + delay * 1000);
          // The last try is the one before the window closes: a next one would come after it.
          const abandon = next.getTime() > new Date(row.created_at).getTime() + RETRY_WINDOW_S * 1000;
          await this.db('logout_outbox')
            .where({ id: row.id })
            .update({
              attempts,
              last_error: (err instanceof Error ? err.message : String(err)).slice(0, 500),
              next_attempt_at: next,
              ...(abandon ? { abandoned_at: new Date() } : {}),
            });
          if (abandon) log.warn({ clientId: row.client_id, attempts }, 'back-channel logout abandoned: the institution did not accept it within 24 hours');
          else log.warn({ clientId: row.client_id, attempts }, 'back-channel logout delivery failed again');
        }
      }
    } finally {
      this.#running = false;
    }
    return delivered;
  }

  start(intervalMs = 10_000): void {
    this.#timer = setInterval(() => void this.runOnce().catch((err: unknown) => log.error({ err }, 'logout outbox run failed')), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
