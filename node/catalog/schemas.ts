// The product's input schemas, shared by the API and the CSV import (one set
// of rules: the import reports the same messages per row and field).
import { z } from '@hono/zod-openapi';
import { gtinSchema, isoDateSchema, reasonSchema } from '../http/schemas';
import { DEVICE_CLASSES, TRACKING_MODES } from './products';

/** A non-negative decimal amount as a string: up to 10 digits, up to 4 decimals ("12.50"). */
export const costSchema = z
  .string()
  .regex(/^\d{1,10}(\.\d{1,4})?$/, 'must be a decimal amount like "12.50" (up to 10 digits and 4 decimals, not negative)')
  .openapi({ type: 'string', example: '12.50' });

export const productFieldSchemas = {
  name: z.string().trim().min(1, 'must not be empty').max(200),
  model: z.string().trim().min(1, 'must not be empty').max(100),
  deviceClass: z.enum(DEVICE_CLASSES, `must be one of ${DEVICE_CLASSES.join(', ')} (EU MDR 2017/745 Annex VIII)`),
  shelfLifeDays: z.number().int('must be an integer').min(1).max(36500),
  tracking: z.enum(TRACKING_MODES, `must be one of ${TRACKING_MODES.join(', ')}`),
  registrationNumber: z.string().trim().min(1, 'must not be empty').max(100),
  registrationExpiry: isoDateSchema,
  storageConditions: z.string().trim().min(1, 'must not be empty').max(500),
  standardCost: costSchema,
};

const f = productFieldSchemas;

function registrationPairs(value: { registrationNumber?: unknown; registrationExpiry?: unknown }, ctx: z.RefinementCtx) {
  const hasNumber = value.registrationNumber !== undefined && value.registrationNumber !== null;
  const hasExpiry = value.registrationExpiry !== undefined && value.registrationExpiry !== null;
  if (hasNumber && !hasExpiry) ctx.addIssue({ code: 'custom', path: ['registrationExpiry'], message: 'is required with registrationNumber' });
  if (hasExpiry && !hasNumber) ctx.addIssue({ code: 'custom', path: ['registrationNumber'], message: 'is required with registrationExpiry' });
}

export const NewProduct = z
  .strictObject({
    gtin: gtinSchema,
    name: f.name,
    model: f.model,
    deviceClass: f.deviceClass,
    shelfLifeDays: f.shelfLifeDays.optional(),
    tracking: f.tracking.optional().openapi({ description: 'serial (default): each unit has a serial; lot: stock counted per lot' }),
    registrationNumber: f.registrationNumber.optional().openapi({ description: 'registration certificate number of the device' }),
    registrationExpiry: f.registrationExpiry.optional().openapi({ description: 'last day the registration is valid' }),
    storageConditions: f.storageConditions.optional().openapi({ example: 'store at 2-8 °C, dry' }),
    standardCost: f.standardCost.optional(),
    reason: reasonSchema,
  })
  .superRefine(registrationPairs)
  .openapi('NewProduct');

export const ProductPatch = z
  .strictObject({
    name: f.name.optional(),
    model: f.model.optional(),
    deviceClass: f.deviceClass.optional(),
    shelfLifeDays: f.shelfLifeDays.nullable().optional(),
    tracking: f.tracking.optional(),
    registrationNumber: f.registrationNumber.nullable().optional(),
    registrationExpiry: f.registrationExpiry.nullable().optional(),
    storageConditions: f.storageConditions.nullable().optional(),
    standardCost: f.standardCost.nullable().optional(),
    reason: reasonSchema,
  })
  .openapi('ProductPatch', { description: 'fields to change (null clears an optional one); a reason is required (X-Reason or reason)' });
