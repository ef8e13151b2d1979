import type { Kapi } from '../../src/app.js';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { DEMO_CLIENT_ID } from '../../src/demo/routes.js';
import { DEMO_PIN } from '../../src/dev/demo-token.js';
import { recordJsonSecrets, recordSecret } from './secret-record.js';

// The secrets of a Kapı a test starts (test/support/kapi.ts), recorded for the log scan of the run
// (test/support/global-teardown.ts): its keys (signing keys' private parts too) and salts, the demo citizens' passwords, the demo token's
// PIN and the demo institution's secret, every client secret it issues, every code it sends by SMS or mail.

/** Configuration variables that hold secrets (comma-separated lists are split). */
const SECRET_VARIABLE = /(KEY|KEYS|SECRET|SALT|PASSWORD|TOKEN)$/;

export async function recordKapiSecrets(kapi: Kapi, env: NodeJS.ProcessEnv): Promise<void> {
  for (const [name, value] of Object.entries(env)) {
    if (!SECRET_VARIABLE.test(name) || !value || /^[./]/.test(value)) continue; // a file's path is no secret
    for (const part of value.split(',')) recordSecret('configuration secret', part.trim(), name);
  }
  for (const name of ['DATABASE_URL', 'REDIS_URL']) {
    const password = env[name] && URL.canParse(env[name]) ? new URL(env[name]).password : '';
    if (password) recordSecret('configuration secret', decodeURIComponent(password), `${name} password`);
  }
  const { masterKey, cookieKeys, pairwiseSalt } = kapi.config;
  for (const encoding of ['base64', 'base64url', 'hex'] as const) recordSecret('master key', masterKey.toString(encoding), `config masterKey (${encoding})`);
  for (const key of cookieKeys) recordSecret('cookie key', key, 'config cookieKeys');
  recordSecret('pairwise salt', pairwiseSalt, 'config pairwiseSalt');
  recordJsonSecrets(await kapi.services.keys.providerJwks(), 'signing keys');

  if (env.KAPI_DEMO === 'true') {
    for (const citizen of DEMO_CITIZENS) recordSecret('password', citizen.password, 'demo citizens (src/demo/seed.ts)');
    recordSecret('PIN', DEMO_PIN, 'demo token (src/dev/demo-token.ts)');
    const demo = await kapi.services.clients.metadataWithSecret(DEMO_CLIENT_ID).catch(() => undefined);
    recordSecret('client secret', demo?.client_secret, 'demo institution');
  }

  // Clients registered by the tests through the service (as `kapi clients` does), secrets rotated later.
  const clients = kapi.services.clients;
  const add = clients.add.bind(clients);
  const update = clients.update.bind(clients);
  clients.add = async (...args) => recorded(await add(...args));
  clients.update = async (...args) => recorded(await update(...args));

  // Codes sent through the simulators (the tests read them from the outboxes and type them).
  for (const outbox of [kapi.messaging.smsOutbox, kapi.messaging.mailOutbox]) {
    if (!outbox) continue;
    const send = outbox.send.bind(outbox) as (message: { text: string; purpose?: string }) => Promise<void>;
    (outbox as unknown as { send: typeof send }).send = async (message) => {
      for (const code of message.text.match(/\b\d{6,10}\b/g) ?? [])
        recordSecret('one-time code', code, `${outbox.constructor.name} ${message.purpose ?? ''}`.trim());
      return send(message);
    };
  }
}

function recorded(metadata: Record<string, unknown>): Record<string, unknown> {
  recordSecret('client secret', metadata.client_secret, 'registered client');
  return metadata;
}
