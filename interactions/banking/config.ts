import { z } from 'zod';

/** The part of Kapı's configuration online banking reads (src/config.ts fills it from the environment). */
export const bankingConfig = z.object({
  production: z.boolean(),
  issuer: z.string(),
  host: z.string(),
  port: z.number(),
  allowSimulators: z.boolean(),
  clockToleranceSeconds: z.number(),
  /** KAPI_BANKS_FILE (README "Online banking") and KAPI_DEMO_BANK. */
  banking: z.object({ file: z.string().optional(), demoBank: z.boolean() }),
});

export type BankingConfig = z.infer<typeof bankingConfig>;
