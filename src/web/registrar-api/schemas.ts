import { z } from 'zod';
import { validateNationalId } from '../../identity/national-id.js';
import { DOCUMENT_TYPES } from '../../registrar/documents.js';
import { CHANNELS, type CounterRequest } from '../../registrar/types.js';

// The registrar API's request bodies. Strict objects: a field the API does not know (a `password`,
// say: staff never choose one) is refused, not ignored. These schemas also produce the request
// schemas of the OpenAPI document (z.toJSONSchema), so the document cannot drift from the checks.

const nationalId = z
  .string()
  .max(32)
  .refine((v) => validateNationalId(v).ok, 'not a valid identity number')
  .transform((v) => (validateNationalId(v) as { number: string }).number)
  .meta({ description: 'T.C. identity number or foreign identification number (11 digits)', examples: ['10000000146'] });

/** The office the console acts for, when it says so: it must be the registrar's own (403 otherwise). */
const officeSchema = z
  .string()
  .regex(/^[A-Z0-9-]{3,32}$/)
  .optional()
  .meta({
    description:
      "The office the request is made at. Optional: the registrar's role names it; when given and not hers, the request is refused (403 not_registrar)",
    examples: ['PTT-ANK-KIZILAY'],
  });

const documentSchema = z
  .object({
    type: z.enum(DOCUMENT_TYPES).meta({ description: 'Document type; which ones count depends on the identity type (GET /registrar/v1/document-types)' }),
    number: z
      .string()
      .trim()
      .min(2)
      .max(32)
      .meta({ description: 'The number printed on the document', examples: ['A12B34567'] }),
  })
  .strict();

const authoritySchema = z
  .object({
    number: z.string().trim().min(1).max(64).meta({ description: "The notary's journal number or the court's decision number" }),
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
      .meta({ description: 'Date of the power of attorney or court decision' }),
    issuer: z.string().trim().min(1).max(200).meta({ description: 'The notary or the court' }),
    authorises_password_receipt: z
      .boolean()
      .optional()
      .meta({ description: 'Proxies: the power of attorney states explicitly that the proxy may receive the password' }),
  })
  .strict();

const representativeSchema = z
  .object({
    national_id: nationalId,
    document: documentSchema,
    authority: authoritySchema,
  })
  .strict();

export const counterRequestSchema = z
  .object({
    national_id: nationalId,
    channel: z.enum(CHANNELS).default('self').meta({ description: 'self: in person; proxy: power of attorney; guardian: court decision' }),
    documents: z.array(documentSchema).max(4).default([]).meta({ description: "The person's own documents (required in person)" }),
    representative: representativeSchema.optional(),
    office: officeSchema,
  })
  .strict();

/** An issuance may also remove the person's second factors, on her request (in person or by a guardian). */
export const issuanceRequestSchema = counterRequestSchema
  .extend({
    remove_second_factors: z.boolean().default(false).meta({
      description:
        "The person's e-Government Key, registered devices and the phone's standing as a second factor are removed, and two-factor authentication is turned off (in person or by a guardian only, never by proxy)",
    }),
  })
  .strict();

export const lookupRequestSchema = z.object({ national_id: nationalId, office: officeSchema }).strict();

export const historyRequestSchema = z
  .object({
    national_id: nationalId.optional(),
    limit: z.number().int().min(1).max(200).default(50),
    office: officeSchema,
  })
  .strict();

export function toCounterRequest(body: z.output<typeof counterRequestSchema> & { remove_second_factors?: boolean }): CounterRequest {
  const rep = body.representative;
  return {
    ...(body.remove_second_factors ? { removeSecondFactors: true } : {}),
    nationalId: body.national_id,
    channel: body.channel,
    documents: body.documents,
    representative: rep
      ? {
          nationalId: rep.national_id,
          document: rep.document,
          authority: {
            number: rep.authority.number,
            date: rep.authority.date,
            issuer: rep.authority.issuer,
            authorisesPasswordReceipt: rep.authority.authorises_password_receipt,
          },
        }
      : undefined,
  };
}

/** Request schemas for the OpenAPI document's components. */
export function registrarRequestSchemas(): Record<string, unknown> {
  const json = (schema: z.ZodType) => {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
    return rest;
  };
  return {
    RegistrarCounterRequest: json(counterRequestSchema),
    RegistrarIssuanceRequest: json(issuanceRequestSchema),
    RegistrarLookupRequest: json(lookupRequestSchema),
    RegistrarHistoryRequest: json(historyRequestSchema),
  };
}
