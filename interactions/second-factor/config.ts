import { z } from 'zod';

/** The part of Kapı's configuration the second factors read (src/config.ts fills it from the environment). */
export const secondFactorConfig = z.object({
  issuer: z.string(),
  allowSimulators: z.boolean(),
  clockToleranceSeconds: z.number(),
  /** KAPI_PUSH_GATEWAY_URL and its token; absent: the push outbox where simulators are allowed. */
  push: z.object({ endpoint: z.string(), token: z.string().optional() }).optional(),
  limits: z.object({
    /** Wrong SMS / TOTP codes before the step locks (KAPI_SECOND_FACTOR_GUESSES); undefined keeps 5. */
    secondFactorGuesses: z.number().optional(),
    /** Device approvals per sign-in and account, and the lock after a refusal (KAPI_APPROVAL*). */
    approvals: z.object({
      perSignIn: z.number().optional(),
      perAccount: z.number().optional(),
      windowSeconds: z.number().optional(),
      lockSeconds: z.number().optional(),
    }),
  }),
});

export type SecondFactorConfig = z.infer<typeof secondFactorConfig>;
