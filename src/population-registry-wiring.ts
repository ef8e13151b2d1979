import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { HttpsRegistry } from '../adapters/population-registry/https-client.js';
import type { PopulationRegistry } from '../adapters/population-registry/port.js';
import { FixtureRegistry } from '../adapters/population-registry/simulator.js';
import { ConfigError, type Config } from './config.js';
import { KapiError } from './errors.js';

// Which population registry this Kapı asks: the real one when KAPI_REGISTRY_URL is set, else the
// fixtures where simulators are allowed. Production without a registry never gets here (src/config.ts
// refuses to start). The certificate files are read once, at start: a missing or unreadable file, or a
// key that does not match its certificate, stops the start with the variable's name, instead of failing
// the first citizen's password reset.

const unconfiguredRegistry: PopulationRegistry = {
  lookup: async () => {
    throw new KapiError('upstream_unavailable', 'no population registry is configured');
  },
};

export function createPopulationRegistry(config: Config): PopulationRegistry {
  const settings = config.populationRegistry;
  if (!settings) return config.allowSimulators ? new FixtureRegistry() : unconfiguredRegistry;
  const problems: string[] = [];
  const read = (variable: string, file: string | undefined): Buffer | undefined => {
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      problems.push(`${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      return undefined;
    }
  };
  const cert = read('KAPI_REGISTRY_CERT', settings.certFile);
  const key = read('KAPI_REGISTRY_KEY', settings.keyFile);
  const ca = read('KAPI_REGISTRY_CA', settings.caFile);
  if (!problems.length && (cert || ca)) {
    try {
      createSecureContext({ ...(cert && key ? { cert, key } : {}), ...(ca ? { ca } : {}) });
    } catch (err) {
      // Node names the problem (key values mismatch, no start line, …) without the key's contents.
      problems.push(`KAPI_REGISTRY_CERT / KAPI_REGISTRY_KEY / KAPI_REGISTRY_CA: not a usable certificate, key and CA (${(err as Error).message})`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return new HttpsRegistry({
    baseUrl: settings.url,
    tls: cert || ca ? { cert, key, ca } : undefined,
    timeoutMs: settings.timeoutMs,
    cache: { maxEntries: settings.cacheSize, ttlMs: settings.cacheSeconds * 1000 },
  });
}
