// Partner and certificate input schemas, shared by the API and the CSV import.
import { z } from '@hono/zod-openapi';
import { gtinCheckDigit } from '../../sdk';
import { isoDateSchema, reasonSchema, sha256HexSchema } from '../http/schemas';

/** A GLN: 13 digits whose last is the GS1 check digit (the SDK computes it). */
export const glnSchema = z
  .string()
  .regex(/^[0-9]{13}$/, 'must be 13 digits (GLN)')
  .refine((gln) => gtinCheckDigit(gln.slice(0, 12)) === Number(gln[12]), 'has a wrong GS1 check digit')
  .openapi({ type: 'string', example: '9506000000017' });

export const creditLimitSchema = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,2})?$/, 'must be a decimal amount like "5000.00" (up to 12 digits and 2 decimals, not negative)')
  .openapi({ type: 'string', example: '5000.00' });

export const partnerFieldSchemas = {
  code: z.string().regex(/^[A-Z0-9][A-Z0-9_-]{0,31}$/, 'must be 1-32 characters A-Z, 0-9, _ and -, starting with a letter or digit'),
  name: z.string().trim().min(1, 'must not be empty').max(200),
  isSupplier: z.boolean(),
  isCustomer: z.boolean(),
  gln: glnSchema,
  participant: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'must be an address: 0x followed by 40 hex digits')
    .transform((value) => value.toLowerCase()),
  creditLimit: creditLimitSchema,
  active: z.boolean(),
};

export const certificateFieldSchemas = {
  kind: z.string().regex(/^[a-z0-9_]{1,40}$/, 'must be 1-40 characters a-z, 0-9 and _ (e.g. business_licence, iso13485)'),
  number: z.string().trim().min(1, 'must not be empty').max(100),
  validFrom: isoDateSchema,
  validUntil: isoDateSchema,
  documentSha256: sha256HexSchema,
};

const c = certificateFieldSchemas;
const p = partnerFieldSchemas;

function validityOrder(value: { validFrom?: string | null; validUntil?: string | null }, ctx: z.RefinementCtx) {
  if (value.validFrom && value.validUntil && value.validUntil < value.validFrom) {
    ctx.addIssue({ code: 'custom', path: ['validUntil'], message: `must not be before validFrom ${value.validFrom}` });
  }
}

const certificateShape = {
  kind: c.kind,
  number: c.number,
  validFrom: c.validFrom.optional(),
  validUntil: c.validUntil.openapi({ description: 'the last day the certificate is valid' }),
  documentSha256: c.documentSha256.optional().openapi({ description: 'SHA-256 of the certificate document' }),
};

export const NewCertificate = z
  .strictObject({ ...certificateShape, reason: reasonSchema })
  .superRefine(validityOrder)
  .openapi('NewCertificate');

export const CertificatePatch = z
  .strictObject({
    kind: c.kind.optional(),
    number: c.number.optional(),
    validFrom: c.validFrom.nullable().optional(),
    validUntil: c.validUntil.optional(),
    documentSha256: c.documentSha256.nullable().optional(),
    reason: reasonSchema,
  })
  .openapi('CertificatePatch', { description: 'a correction: a reason is required (X-Reason or reason)' });

function roleRequired(value: { isSupplier?: boolean; isCustomer?: boolean }, ctx: z.RefinementCtx) {
  if (value.isSupplier === false && value.isCustomer === false) {
    ctx.addIssue({ code: 'custom', path: ['isSupplier'], message: 'a partner is a supplier, a customer or both' });
  }
}

export const NewPartner = z
  .strictObject({
    code: p.code.openapi({ example: 'ACME' }),
    name: p.name,
    isSupplier: p.isSupplier.default(false),
    isCustomer: p.isCustomer.default(false),
    gln: p.gln.optional(),
    participant: p.participant.optional().openapi({ description: "the partner's medtrace participant address, when it runs a node" }),
    creditLimit: p.creditLimit.optional().openapi({ description: 'for customers: open orders may not exceed it' }),
    certificates: z
      .array(z.strictObject(certificateShape).superRefine(validityOrder))
      .max(50)
      .optional()
      .openapi({ description: 'qualification certificates to record with the partner' }),
    reason: reasonSchema,
  })
  .superRefine(roleRequired)
  .openapi('NewPartner');

export const PartnerPatch = z
  .strictObject({
    name: p.name.optional(),
    isSupplier: p.isSupplier.optional(),
    isCustomer: p.isCustomer.optional(),
    gln: p.gln.nullable().optional(),
    participant: p.participant.nullable().optional(),
    creditLimit: p.creditLimit.nullable().optional(),
    active: p.active.optional().openapi({ description: 'false deactivates the partner: it can no longer be traded with' }),
    reason: reasonSchema,
  })
  .openapi('PartnerPatch', { description: 'fields to change (null clears an optional one); a reason is required (X-Reason or reason)' });
