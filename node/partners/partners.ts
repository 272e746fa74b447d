// Partners (suppliers and customers) and their qualification certificates: the queries.
import type { Sql, Tx } from '../db';

export interface Certificate {
  id: number;
  partnerId: number;
  kind: string;
  number: string;
  validFrom: string | null;
  validUntil: string;
  documentSha256: string | null;
  createdAt: string;
}

export interface Partner {
  id: number;
  code: string;
  name: string;
  isSupplier: boolean;
  isCustomer: boolean;
  gln: string | null;
  participant: string | null;
  /** Money as a decimal string ("5000.00"), never a float. */
  creditLimit: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  certificates: Certificate[];
}

export interface PartnerFields {
  code: string;
  name: string;
  isSupplier: boolean;
  isCustomer: boolean;
  gln?: string | null;
  participant?: string | null;
  creditLimit?: string | null;
  active?: boolean;
}

export interface CertificateFields {
  kind: string;
  number: string;
  validFrom?: string | null;
  validUntil: string;
  documentSha256?: string | null;
}

interface PartnerRow {
  id: number;
  code: string;
  name: string;
  is_supplier: boolean;
  is_customer: boolean;
  gln: string | null;
  participant: string | null;
  credit_limit: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

interface CertificateRow {
  id: number;
  partner_id: number;
  kind: string;
  number: string;
  valid_from: string | null;
  valid_until: string;
  document_sha256: string | null;
  created_at: Date;
}

function toCertificate(row: CertificateRow): Certificate {
  return {
    id: row.id,
    partnerId: row.partner_id,
    kind: row.kind,
    number: row.number,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    documentSha256: row.document_sha256,
    createdAt: row.created_at.toISOString(),
  };
}

function toPartner(row: PartnerRow, certificates: Certificate[]): Partner {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    isSupplier: row.is_supplier,
    isCustomer: row.is_customer,
    gln: row.gln,
    participant: row.participant,
    creditLimit: row.credit_limit,
    active: row.active,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    certificates,
  };
}

function partnerColumns(sql: Sql | Tx) {
  return sql`id, code, name, is_supplier, is_customer, gln, participant, credit_limit::text as credit_limit, active, created_at, updated_at`;
}

function certificateColumns(sql: Sql | Tx) {
  return sql`id, partner_id, kind, number, valid_from::text as valid_from, valid_until::text as valid_until, document_sha256, created_at`;
}

async function withCertificates(sql: Sql | Tx, rows: PartnerRow[]): Promise<Partner[]> {
  if (rows.length === 0) return [];
  const certificates = await sql<CertificateRow[]>`
    select ${certificateColumns(sql)} from partner_certificates
    where partner_id = any(${sql.array(rows.map((row) => row.id))}::bigint[])
    order by partner_id, kind, valid_until desc, id`;
  const byPartner = new Map<number, Certificate[]>();
  for (const row of certificates) {
    const list = byPartner.get(row.partner_id) ?? [];
    list.push(toCertificate(row));
    byPartner.set(row.partner_id, list);
  }
  return rows.map((row) => toPartner(row, byPartner.get(row.id) ?? []));
}

export async function insertPartner(tx: Tx, partner: PartnerFields): Promise<number> {
  const [row] = await tx<{ id: number }[]>`
    insert into partners (code, name, is_supplier, is_customer, gln, participant, credit_limit, active)
    values (${partner.code}, ${partner.name}, ${partner.isSupplier}, ${partner.isCustomer}, ${partner.gln ?? null},
            ${partner.participant ?? null}, ${partner.creditLimit ?? null}, ${partner.active ?? true})
    returning id`;
  return row.id;
}

const PARTNER_COLUMN_OF: Record<string, string> = {
  name: 'name',
  isSupplier: 'is_supplier',
  isCustomer: 'is_customer',
  gln: 'gln',
  participant: 'participant',
  creditLimit: 'credit_limit',
  active: 'active',
};

export async function updatePartner(tx: Tx, id: number, patch: Partial<PartnerFields>): Promise<void> {
  const changes: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(PARTNER_COLUMN_OF)) {
    const value = (patch as Record<string, unknown>)[key];
    if (value !== undefined) changes[column] = value;
  }
  await tx`update partners set ${tx(changes as never, Object.keys(changes) as never)}, updated_at = now() where id = ${id}`;
}

export async function findPartner(sql: Sql | Tx, id: number, options: { forUpdate?: boolean } = {}): Promise<Partner | undefined> {
  const rows = await sql<PartnerRow[]>`
    select ${partnerColumns(sql)} from partners where id = ${id} ${options.forUpdate ? sql`for update` : sql``}`;
  return (await withCertificates(sql, rows))[0];
}

export async function findPartnerByCode(sql: Sql | Tx, code: string): Promise<Partner | undefined> {
  const rows = await sql<PartnerRow[]>`select ${partnerColumns(sql)} from partners where code = ${code}`;
  return (await withCertificates(sql, rows))[0];
}

/** Partners ordered by id, optionally of one role, after `afterId`. */
export async function listPartners(
  sql: Sql,
  page: { role?: 'supplier' | 'customer'; active?: boolean; afterId?: number; limit: number },
): Promise<Partner[]> {
  const rows = await sql<PartnerRow[]>`
    select ${partnerColumns(sql)} from partners
    where ${page.role === undefined ? sql`true` : page.role === 'supplier' ? sql`is_supplier` : sql`is_customer`}
      and ${page.active === undefined ? sql`true` : sql`active = ${page.active}`}
      and ${page.afterId === undefined ? sql`true` : sql`id > ${page.afterId}`}
    order by id
    limit ${page.limit}`;
  return withCertificates(sql, rows);
}

export async function insertCertificate(tx: Tx, partnerId: number, certificate: CertificateFields): Promise<Certificate> {
  const [row] = await tx<CertificateRow[]>`
    insert into partner_certificates (partner_id, kind, number, valid_from, valid_until, document_sha256)
    values (${partnerId}, ${certificate.kind}, ${certificate.number}, ${certificate.validFrom ?? null}, ${certificate.validUntil},
            ${certificate.documentSha256 ?? null})
    returning ${certificateColumns(tx)}`;
  return toCertificate(row);
}

export async function findCertificate(sql: Sql | Tx, partnerId: number, id: number): Promise<Certificate | undefined> {
  const [row] = await sql<CertificateRow[]>`
    select ${certificateColumns(sql)} from partner_certificates where partner_id = ${partnerId} and id = ${id} for update`;
  return row && toCertificate(row);
}

export async function certificateExists(sql: Sql | Tx, partnerId: number, kind: string, number: string, exceptId?: number): Promise<boolean> {
  const rows = await sql`
    select 1 from partner_certificates
    where partner_id = ${partnerId} and kind = ${kind} and number = ${number}
      and ${exceptId === undefined ? sql`true` : sql`id <> ${exceptId}`}`;
  return rows.length > 0;
}

const CERTIFICATE_COLUMN_OF: Record<string, string> = {
  kind: 'kind',
  number: 'number',
  validFrom: 'valid_from',
  validUntil: 'valid_until',
  documentSha256: 'document_sha256',
};

export async function updateCertificate(tx: Tx, id: number, patch: Partial<CertificateFields>): Promise<Certificate> {
  const changes: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(CERTIFICATE_COLUMN_OF)) {
    const value = (patch as Record<string, unknown>)[key];
    if (value !== undefined) changes[column] = value;
  }
  const [row] = await tx<CertificateRow[]>`
    update partner_certificates set ${tx(changes as never, Object.keys(changes) as never)} where id = ${id}
    returning ${certificateColumns(tx)}`;
  return toCertificate(row);
}

export async function deleteCertificate(tx: Tx, id: number): Promise<void> {
  await tx`delete from partner_certificates where id = ${id}`;
}

export async function touchPartner(tx: Tx, id: number): Promise<void> {
  await tx`update partners set updated_at = now() where id = ${id}`;
}
