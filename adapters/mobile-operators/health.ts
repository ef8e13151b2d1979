import type { OperatorHealth, OperatorHealthState, OperatorObserver } from './port.js';

// A small circuit breaker per operator. After a few transport failures in a row the operator is `down`:
// new requests fail at once instead of each waiting for a timeout (a failing operator must not slow the
// page down, nor hold sockets), until a cool-down has passed and one request may try again.
//
// It must reflect the operator, not one citizen (issue 19): a garbled answer can belong to one
// transaction (one phone, one SIM), and the waiting page polls that transaction every two seconds, so
// garbled answers count once per scope (the phone they concern) in a row of failures; network-level
// failures (refused, reset, timed out), which no citizen can cause, count every time.

export interface HealthOptions {
  failuresToTrip?: number;
  coolDownMs?: number;
  now?: () => number;
}

export class HealthTracker {
  #state: OperatorHealthState = 'unknown';
  #failures = 0;
  #lastError: string | undefined;
  #retryAt: number | undefined;
  /** Scopes whose failure is already counted in the current row (bounded: a row ends at the trip anyway). */
  readonly #counted = new Set<string>();
  readonly #trip: number;
  readonly #coolDown: number;
  readonly #now: () => number;

  constructor(private readonly operator: string, private readonly observer: OperatorObserver, options: HealthOptions = {}) {
    this.#trip = options.failuresToTrip ?? 3;
    this.#coolDown = options.coolDownMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    observer.health(operator, 'unknown');
  }

  /** False while the breaker is open: do not call the operator now. */
  allowRequest(): boolean {
    return this.#state !== 'down' || (this.#retryAt ?? 0) <= this.#now();
  }

  success(): void {
    this.#failures = 0;
    this.#retryAt = undefined;
    this.#counted.clear();
    this.#set('up');
  }

  /**
   * A failure. `scope` names what a garbled answer concerns (a keyed hash of the phone number): a
   * second failure of the same scope in the same row is not counted. Without a scope (a network-level
   * failure) every failure counts.
   */
  failure(error: string, scope?: string): void {
    if (scope !== undefined) {
      if (this.#counted.has(scope)) return;
      if (this.#counted.size < 1000) this.#counted.add(scope);
    }
    this.#failures += 1;
    this.#lastError = error;
    if (this.#failures >= this.#trip || this.#state === 'down') {
      this.#retryAt = this.#now() + this.#coolDown;
      this.#set('down');
    }
  }

  snapshot(): OperatorHealth {
    const health: OperatorHealth = { state: this.#state, consecutiveFailures: this.#failures };
    if (this.#lastError) health.lastError = this.#lastError;
    if (this.#state === 'down' && this.#retryAt) health.retryAt = this.#retryAt;
    return health;
  }

  #set(state: OperatorHealthState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.observer.health(this.operator, state);
  }
}
