import Provider, { type Configuration } from 'oidc-provider';
import type { StateStore } from '../../adapters/storage/port.js';
import type { KeyStore } from '../../keys/key-store.js';
import { log } from '../log.js';

export const KEYS_CHANNEL = 'keys';

/**
 * oidc-provider fixes its keystore at construction. The holder builds the provider from the keys in
 * Postgres and rebuilds it when they change: a rotation is announced on the state store's pub/sub
 * (every process hears it) and, in case a message is lost, the key set's version is polled.
 */
export class ProviderHolder {
  #provider: Provider | undefined;
  #version = '';
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    private readonly issuer: string,
    private readonly keys: KeyStore,
    private readonly configure: (jwks: Awaited<ReturnType<KeyStore['providerJwks']>>) => Configuration,
    private readonly decorate: (provider: Provider) => void,
  ) {}

  get current(): Provider {
    if (!this.#provider) throw new Error('provider not built yet');
    return this.#provider;
  }

  async build(): Promise<Provider> {
    const version = await this.keys.version();
    const provider = new Provider(this.issuer, this.configure(await this.keys.providerJwks()));
    this.decorate(provider);
    this.#provider = provider;
    this.#version = version;
    return provider;
  }

  /** Rebuilds when the published key set changed since the last build. */
  async refresh(): Promise<boolean> {
    const version = await this.keys.version();
    if (version === this.#version) return false;
    await this.build();
    log.info({ keys: version }, 'signing keys changed: provider rebuilt');
    return true;
  }

  async watch(state: StateStore, pollMs = 60_000): Promise<void> {
    const onChange = () => void this.refresh().catch((err: unknown) => log.error({ err }, 'provider rebuild failed'));
    this.#unsubscribe = await state.subscribe(KEYS_CHANNEL, onChange);
    this.#timer = setInterval(onChange, pollMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    // During a Redis outage the unsubscribe cannot be sent; shutdown must still go on (the connection
    // is closed right after, which ends the subscription anyway).
    await this.#unsubscribe?.().catch((err: unknown) => log.warn({ err }, 'could not unsubscribe from key changes'));
  }
}
