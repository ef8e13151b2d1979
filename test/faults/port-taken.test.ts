import { describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { createKapi, type Kapi } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

// Starting on a port another program holds fails at once with the system's reason (EADDRINUSE), on the
// embedded default too: it must not wait forever for a 'listening' that never comes.

describe('startup: the port is taken', () => {
  it('listen rejects with EADDRINUSE instead of hanging', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
    const port = (holder.address() as { port: number }).port;
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: String(port),
      KAPI_ISSUER: `http://127.0.0.1:${port}`,
      DATA_DIR: ':memory:',
      KAPI_LOG_LEVEL: 'silent',
      ...(process.env.KAPI_TEST_EMBEDDED_SNAPSHOT ? { KAPI_EMBEDDED_SNAPSHOT: process.env.KAPI_TEST_EMBEDDED_SNAPSHOT } : {}),
    });
    let kapi: Kapi | undefined;
    try {
      // Built first (seconds on a loaded machine); only the listening is raced against the clock.
      kapi = await createKapi(config);
      const outcome = await Promise.race([
        kapi.listen().then(
          () => 'listening',
          (error: NodeJS.ErrnoException) => error.code,
        ),
        new Promise((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10_000).unref()),
      ]);
      expect(outcome).toBe('EADDRINUSE');
    } finally {
      await kapi?.close();
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  }, 90_000);
});
