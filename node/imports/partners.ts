// CSV import of partners with their certificates: one row per certificate; the
// rows of one partner share its code, the first of them carries the partner's
// fields (later rows leave them empty or repeat them unchanged). The same rules
// as POST /api/v1/partners (node/partners/schemas.ts). A code already known or
// a certificate listed twice is an error; a partner with any bad row is skipped whole.
import { z } from '@hono/zod-openapi';
import type { Tx } from '../db';
import { insertCertificate, insertPartner, type CertificateFields, type PartnerFields } from '../partners/partners';
import { certificateFieldSchemas, NewPartner } from '../partners/schemas';
import { booleanCell, cell, readTable, sortErrors, validateRow, type ImportError } from './table';

export const PARTNER_COLUMNS = [
  'code',
  'name',
  'isSupplier',
  'isCustomer',
  'gln',
  'participant',
  'creditLimit',
  'certificateKind',
  'certificateNumber',
  'certificateValidFrom',
  'certificateValidUntil',
  'certificateDocumentSha256',
] as const;
const PARTNER_FIELDS = ['name', 'isSupplier', 'isCustomer', 'gln', 'participant', 'creditLimit'] as const;

const CertificateRow = z
  .strictObject({
    certificateKind: certificateFieldSchemas.kind,
    certificateNumber: certificateFieldSchemas.number,
    certificateValidFrom: certificateFieldSchemas.validFrom.optional(),
    certificateValidUntil: certificateFieldSchemas.validUntil,
    certificateDocumentSha256: certificateFieldSchemas.documentSha256.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.certificateValidFrom && value.certificateValidUntil < value.certificateValidFrom) {
      ctx.addIssue({ code: 'custom', path: ['certificateValidUntil'], message: `must not be before certificateValidFrom ${value.certificateValidFrom}` });
    }
  });

export interface PlannedPartner {
  rows: number[];
  partner: PartnerFields;
  certificates: CertificateFields[];
}

export async function planPartners(tx: Tx, text: string): Promise<{ rows: number; valid: PlannedPartner[]; errors: ImportError[]; fileErrors: boolean }> {
  const table = readTable(text, { known: PARTNER_COLUMNS, required: ['code', 'name'] });
  const fileErrors = table.errors.some((e) => e.row === 1 || e.field === 'file');
  const errors = [...table.errors];
  const groups = new Map<string, { plan?: PlannedPartner; firstRow: number; raw: Record<string, string>; bad: boolean }>();

  for (const { row, values } of table.rows) {
    const code = cell(values.code);
    if (code === undefined) {
      errors.push({ row, field: 'code', rule: 'required', message: 'code is required' });
      continue;
    }
    let group = groups.get(code);
    if (!group) {
      const input = {
        code,
        name: cell(values.name),
        isSupplier: booleanCell(values.isSupplier),
        isCustomer: booleanCell(values.isCustomer),
        gln: cell(values.gln),
        participant: cell(values.participant),
        creditLimit: cell(values.creditLimit),
      };
      const checked = validateRow(NewPartner, row, input);
      errors.push(...checked.errors);
      const { certificates: _c, reason: _r, ...partner } = checked.value ?? ({} as never);
      group = { plan: checked.value ? { rows: [], partner, certificates: [] } : undefined, firstRow: row, raw: values, bad: !checked.value };
      groups.set(code, group);
    } else {
      for (const field of PARTNER_FIELDS) {
        const value = cell(values[field]);
        if (value !== undefined && value !== cell(group.raw[field])) {
          errors.push({
            row,
            field,
            rule: 'conflicting-partner-fields',
            message: `${field} differs from row ${group.firstRow} of partner ${code}; give the partner's fields once, on its first row`,
          });
          group.bad = true;
        }
      }
    }
    group.plan?.rows.push(row);
    const hasCertificate = ['certificateKind', 'certificateNumber', 'certificateValidFrom', 'certificateValidUntil', 'certificateDocumentSha256'].some(
      (field) => cell(values[field]) !== undefined,
    );
    if (!hasCertificate) continue;
    const checked = validateRow(CertificateRow, row, {
      certificateKind: cell(values.certificateKind),
      certificateNumber: cell(values.certificateNumber),
      certificateValidFrom: cell(values.certificateValidFrom),
      certificateValidUntil: cell(values.certificateValidUntil),
      certificateDocumentSha256: cell(values.certificateDocumentSha256),
    });
    if (!checked.value) {
      errors.push(...checked.errors);
      group.bad = true;
      continue;
    }
    const certificate = {
      kind: checked.value.certificateKind,
      number: checked.value.certificateNumber,
      validFrom: checked.value.certificateValidFrom,
      validUntil: checked.value.certificateValidUntil,
      documentSha256: checked.value.certificateDocumentSha256,
    };
    if (group.plan?.certificates.some((c) => c.kind === certificate.kind && c.number === certificate.number)) {
      errors.push({ row, field: 'certificateNumber', rule: 'duplicate-in-file', message: `${certificate.kind} certificate ${certificate.number} of ${code} is listed twice` });
      group.bad = true;
      continue;
    }
    group.plan?.certificates.push(certificate);
  }

  const codes = [...groups.keys()];
  const existing = new Set(
    codes.length === 0 ? [] : (await tx<{ code: string }[]>`select code from partners where code = any(${tx.array(codes)}::text[])`).map((r) => r.code),
  );
  const valid: PlannedPartner[] = [];
  for (const [code, group] of groups) {
    if (existing.has(code)) {
      errors.push({ row: group.firstRow, field: 'code', rule: 'exists', message: `a partner with code ${code} already exists (correct it with PATCH /api/v1/partners/{id})` });
    } else if (group.plan && !group.bad) valid.push(group.plan);
  }
  sortErrors(errors, PARTNER_COLUMNS);
  return { rows: table.rows.length + table.errors.filter((e) => e.rule === 'field-count').length, valid, errors, fileErrors };
}

export async function importPartners(tx: Tx, planned: readonly PlannedPartner[]): Promise<{ id: number; code: string; certificates: number }[]> {
  const created = [];
  for (const { partner, certificates } of planned) {
    const id = await insertPartner(tx, partner);
    for (const certificate of certificates) await insertCertificate(tx, id, certificate);
    created.push({ id, code: partner.code, certificates: certificates.length });
  }
  return created;
}
