import { z } from 'zod';

/**
 * The part of Kapı's configuration passkeys read: the issuer (its host is the relying-party id, its
 * origin the only origin accepted) and KAPI_PASSKEYS (`false` takes the method off the chooser and the
 * account pages; stored passkeys are kept). On by default: passkeys need no outside service.
 */
export const passkeyConfig = z
  .object({
    issuer: z.string(),
    moduleEnvironment: z.object({ KAPI_PASSKEYS: z.enum(['true', 'false', '1', '0', 'yes', 'no']).optional() }),
  })
  .transform(({ issuer, moduleEnvironment }) => ({
    issuer,
    enabled: !['false', '0', 'no'].includes(moduleEnvironment.KAPI_PASSKEYS ?? 'true'),
  }));

export type PasskeyConfig = z.infer<typeof passkeyConfig>;
