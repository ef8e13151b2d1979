import { z } from 'zod';

// Request bodies of the device API (docs/openapi/device.paths.json describes the same shapes).

const compactJws = z
  .string()
  .max(4096)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'a compact JWS');

export const registerBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  public_jwk: z.strictObject({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    y: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  }),
  push_token: z.string().min(1).max(4096).optional(),
  /** A device-request proof signed by the new key: the app holds the private key. */
  key_proof: compactJws,
});

export const answerBody = z.strictObject({ answer: compactJws });

export const scanBody = z.strictObject({ payload: z.string().min(1).max(512) });
