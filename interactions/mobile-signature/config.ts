import { z } from 'zod';

/** The part of Kapı's configuration the mobile-signature method reads (src/config.ts fills it from the environment). */
export const mobileSignatureConfig = z.object({
  production: z.boolean(),
  host: z.string(),
  allowSimulators: z.boolean(),
  /** KAPI_MOBILE_OPERATORS, or the MSSP simulator (KAPI_MOBILE_SIMULATOR) on its port. */
  mobileSignature: z.object({ operatorsFile: z.string().optional(), simulator: z.boolean(), simulatorPort: z.number() }),
  /** The operators' certificates are checked for revocation as the smart cards' are. */
  smartCard: z.object({ revocation: z.object({ mode: z.enum(['fail-closed', 'fail-open', 'off']), timeoutMs: z.number(), cacheSeconds: z.number() }) }),
  limits: z.object({ mobileSignature: z.object({ requestsPerNumberHour: z.number(), requestsPerHour: z.number() }) }),
});

export type MobileSignatureConfig = z.infer<typeof mobileSignatureConfig>;
