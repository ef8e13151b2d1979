import { describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { loadConfig } from '../../src/config.js';
import { serve } from '../../src/startup.js';

// Starting on a port another program holds fails at once with the system's reason (EADDRINUSE), on the
// embedded default too: it must not wait forever for a 'listening' that never comes.

describe('startup: the port is taken', () => {
  it('the embedded start rejects with EADDRINUSE instead of hanging', async () => {
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
    let kapi: Awaited<ReturnType<typeof serve>>['kapi'] | undefined;
    try {
      const outcome = await Promise.race([
        serve(config).then(
          (started) => {
            kapi = started.kapi;
            return 'listening';
          },
          (error: NodeJS.ErrnoException) => error.code,
        ),
        new Promise((resolve) => setTimeout(() => resolve('still waiting after 20 s'), 20_000).unref()),
      ]);
      expect(outcome).toBe('EADDRINUSE');
    } finally {
      await kapi?.close();
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  }, 40_000);
});
