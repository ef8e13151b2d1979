import { z } from 'zod';
import { KNOWN_OPERATORS } from './operators/index.js';

// The operators file (KAPI_MOBILE_OPERATORS): one entry per GSM operator. Secrets are never written in
// it: the AP password (and a TLS key passphrase) name an environment variable or a file holding them.

const secretRef = z.union([
  z.object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name') }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);

const httpUrl = z.url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

export const operatorEntrySchema = z
  .object({
    id: z.string().refine((id) => Object.hasOwn(KNOWN_OPERATORS, id), { message: `unknown operator (known: ${Object.keys(KNOWN_OPERATORS).join(', ')})` }),
    enabled: z.boolean().default(true),
    endpoint: httpUrl,
    endpoints: z.object({ signature: httpUrl.optional(), status: httpUrl.optional(), receipt: httpUrl.optional() }).strict().optional(),
    apId: z.string().min(1).max(255),
    apPassword: secretRef,
    msspId: z.union([z.object({ uri: z.string().min(1) }).strict(), z.object({ dnsName: z.string().min(1) }).strict()]).optional(),
    soapVersion: z.enum(['1.1', '1.2']).optional(),
    signatureProfile: z.string().min(1),
    mssFormat: z.string().min(1).optional(),
    msisdnFormat: z.enum(['international', 'plus-international', 'national']).optional(),
    receipt: z.boolean().optional(),
    /** Seconds the phone waits for the person (TimeOut). */
    timeoutSeconds: z.number().int().min(2).max(600).default(120),
    requestTimeoutMs: z.number().int().min(100).max(60_000).default(10_000),
    /** Characters the operator's phones show of DataToBeDisplayed; Kapı fits its text within (default 120). */
    displayLimit: z.number().int().min(60).max(500).optional(),
    trustAnchors: z.array(z.string().min(1)).min(1),
    intermediates: z.array(z.string().min(1)).default([]),
    requireQualified: z.boolean().default(true),
    tlsClient: z.object({ certFile: z.string(), keyFile: z.string(), keyPassphrase: secretRef.optional(), caFile: z.string().optional() }).strict().optional(),
    health: z
      .object({ failuresToTrip: z.number().int().min(1).max(100).optional(), coolDownSeconds: z.number().int().min(1).max(3600).optional() })
      .strict()
      .optional(),
  })
  .strict();

export const operatorsFileSchema = z
  .object({
    operators: z.array(operatorEntrySchema).min(1),
    /** Signature requests allowed per GSM number and per identity number in ten minutes (an IP gets ten times as many). */
    startsPerTenMinutes: z.number().int().min(1).max(100_000).default(5),
  })
  .strict()
  .refine((file) => new Set(file.operators.map((o) => o.id)).size === file.operators.length, 'an operator is listed twice');

export type OperatorEntry = z.output<typeof operatorEntrySchema>;
export type SecretRef = z.output<typeof secretRef>;
