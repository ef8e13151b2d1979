// A circuit breaker for one upstream, in this process. After `failuresToTrip` failures in a row it opens:
// calls fail at once for `coolDownMs` instead of each waiting for a timeout (a registry that hangs must
// not hold every reset, office and first-sign-in request, nor pile up sockets). Then it lets one call
// through (half-open): its success closes the breaker, its failure opens it for another cool-down.
// Per process, not in the state store like the mobile operators' health (adapters/mobile-operators/
// health.ts): there is one registry, nothing is shown to the person before she tries, and each process
// learns of an outage within a few requests.

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  failuresToTrip?: number;
  coolDownMs?: number;
  now?: () => number;
  /** Told when the breaker opens or closes (a log line; never personal data). */
  onChange?: (state: 'open' | 'closed', lastError: string) => void;
}

export class CircuitBreaker {
  readonly #trip: number;
  readonly #coolDown: number;
  readonly #now: () => number;
  readonly #onChange: BreakerOptions['onChange'];
  #failures = 0;
  #openUntil = 0;
  #trialInFlight = false;
  #lastError = '';

  constructor(options: BreakerOptions = {}) {
    this.#trip = options.failuresToTrip ?? 5;
    this.#coolDown = options.coolDownMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#onChange = options.onChange;
  }

  get state(): BreakerState {
    if (this.#failures < this.#trip) return 'closed';
    return this.#now() < this.#openUntil ? 'open' : 'half-open';
  }

  /** Seconds until a call may go out again (0 when it may now). */
  get retryAfterSeconds(): number {
    return this.state === 'closed' ? 0 : Math.max(0, Math.ceil((this.#openUntil - this.#now()) / 1000));
  }

  get lastError(): string {
    return this.#lastError;
  }

  /**
   * May a call go out now? When it returns true the caller must report the outcome (success or failure).
   * Half-open lets exactly one trial through; the others keep failing fast until it reports.
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.#trialInFlight) return false;
    this.#trialInFlight = true;
    return true;
  }

  success(): void {
    const wasOpen = this.#failures >= this.#trip;
    this.#failures = 0;
    this.#trialInFlight = false;
    if (wasOpen) this.#onChange?.('closed', this.#lastError);
  }

  failure(error: string): void {
    this.#lastError = error;
    this.#trialInFlight = false;
    const wasOpen = this.#failures >= this.#trip;
    this.#failures = Math.min(this.#failures + 1, this.#trip);
    if (this.#failures >= this.#trip) {
      this.#openUntil = this.#now() + this.#coolDown;
      if (!wasOpen) this.#onChange?.('open', error);
    }
  }
}
