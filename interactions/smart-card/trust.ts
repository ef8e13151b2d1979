import path from 'node:path';
import type { TrustProfile } from '../../adapters/pki/port.js';
import { loadTrustProfile, usesTestAnchors } from '../../adapters/pki/trust-config.js';
import { createTestCa, type TestCaResponders } from '../../keys/test-ca.js';
import type { SmartCardProfile } from './transactions.js';
import type { SmartCardConfig } from './config.js';
import { KapiError } from '../../src/errors.js';
import { log } from '../../src/log.js';

// The smart-card module's wiring: which certificate providers the methods
// trust. Configured anchors in production; on the embedded demo, when none are configured, a demo test
// CA kept in the data directory, whose CRL and OCSP responder run beside the server (PORT + 1).

export interface SmartCardTrust {
  trust: Partial<Record<SmartCardProfile, TrustProfile>>;
  demoResponders?: TestCaResponders;
}

/** What the demo CA's place needs (the `kapi dev token` command reads it too). */
type DemoCaConfig = Pick<SmartCardConfig, 'dataDir' | 'port'>;

export const demoCaDir = (config: DemoCaConfig) => path.join(config.dataDir, 'test-ca');
export const demoCaPort = (config: DemoCaConfig) => config.port + 1;

export async function smartCardTrust(config: SmartCardConfig): Promise<SmartCardTrust> {
  const { eSignatureAnchors, idCardAnchors, intermediates, revocation } = config.smartCard;
  const trust: SmartCardTrust['trust'] = {};
  if (eSignatureAnchors.length)
    trust['e-signature'] = await loadTrustProfile({ name: 'e-signature', anchorFiles: eSignatureAnchors, intermediateFiles: intermediates, revocation });
  if (idCardAnchors.length)
    trust['id-card'] = await loadTrustProfile({ name: 'id-card', anchorFiles: idCardAnchors, intermediateFiles: intermediates, revocation });

  for (const profile of Object.values(trust)) {
    if (profile && usesTestAnchors(profile) && !config.allowSimulators) {
      throw new KapiError('config_invalid', `the ${profile.name} trust anchors include the Kapı test CA: not allowed in production (KAPI_ALLOW_SIMULATORS)`);
    }
  }
  if (Object.keys(trust).length || !config.demo || !config.allowSimulators || config.dataDir === ':memory:') return { trust };

  const ca = await createTestCa({ name: 'Kapi Demo', dir: demoCaDir(config) });
  const demoResponders = await ca.startResponders({ port: demoCaPort(config) }).catch((err: unknown) => {
    log.warn({ err }, 'demo test CA responders could not start: smart-card demo logins will be refused (revocation unknown)');
    return undefined;
  });
  for (const name of ['e-signature', 'id-card'] as const) {
    trust[name] = ca.trustProfile(name, { intermediates: [ca.intermediateDer], revocation });
  }
  return { trust, ...(demoResponders ? { demoResponders } : {}) };
}
