import { z } from 'zod';

/** The part of Kapı's configuration the smart-card methods read (src/config.ts fills it from the environment). */
export const smartCardConfig = z.object({
  issuer: z.string(),
  port: z.number(),
  dataDir: z.string(),
  demo: z.boolean(),
  allowSimulators: z.boolean(),
  smartCard: z.object({
    eSignatureAnchors: z.array(z.string()),
    idCardAnchors: z.array(z.string()),
    intermediates: z.array(z.string()),
    revocation: z.object({ mode: z.enum(['fail-closed', 'fail-open', 'off']), timeoutMs: z.number(), cacheSeconds: z.number() }),
  }),
});

export type SmartCardConfig = z.infer<typeof smartCardConfig>;
