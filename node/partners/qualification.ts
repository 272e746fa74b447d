// The trade gates of master data: a partner may be bought from (supplier) or
// sold to (customer) only while it is active, holds that role, and every kind
// of qualification certificate it has is valid today. Purchasing and orders
// call this inside their write transaction; it throws the 422 problem that
// names the certificate at fault, so nothing is written.
import type { Sql, Tx } from '../db';
import { ProblemError } from '../http/problem';

export type PartnerRole = 'supplier' | 'customer';

interface CertificateRow {
  kind: string;
  number: string;
  valid_from: string | null;
  valid_until: string;
}

/** Today as `YYYY-MM-DD` (UTC), the default of the checks. */
export function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * Refuses (ProblemError 422, field `supplierId` or `customerId`) unless the
 * partner exists, is active, holds `role`, has at least one certificate, and
 * for every certificate kind it holds one is valid on `today` (valid_from ≤
 * today ≤ valid_until). Slugs: `partner-not-qualified` (unknown, inactive,
 * wrong role, no certificate, only a not-yet-valid certificate of a kind) and
 * `certificate-expired` (the latest certificate of a kind ended before today;
 * the detail names its kind, number and expiry).
 */
export async function assertPartnerQualified(tx: Tx | Sql, partnerId: number, role: PartnerRole, today: string = todayIso()): Promise<void> {
  const field = role === 'supplier' ? 'supplierId' : 'customerId';
  const refuse = (slug: string, detail: string, extras: Record<string, unknown> = {}) =>
    new ProblemError(422, slug, slug === 'certificate-expired' ? 'Certificate expired' : 'Partner not qualified', detail, {
      field,
      partnerId,
      ...extras,
    });

  const [partner] = await tx<{ code: string; name: string; is_supplier: boolean; is_customer: boolean; active: boolean }[]>`
    select code, name, is_supplier, is_customer, active from partners where id = ${partnerId}`;
  if (!partner) throw refuse('partner-not-qualified', `${field}: no partner with id ${partnerId}`);
  const label = `partner ${partner.code} (${partner.name})`;
  if (!partner.active) throw refuse('partner-not-qualified', `${label} is deactivated and cannot be traded with`);
  if (role === 'supplier' ? !partner.is_supplier : !partner.is_customer) {
    throw refuse('partner-not-qualified', `${label} is not a ${role}; mark it as one before ${role === 'supplier' ? 'buying from' : 'selling to'} it`);
  }

  const certificates = await tx<CertificateRow[]>`
    select kind, number, valid_from::text as valid_from, valid_until::text as valid_until
    from partner_certificates where partner_id = ${partnerId}
    order by kind, valid_until desc, number`;
  if (certificates.length === 0) {
    throw refuse('partner-not-qualified', `${label} has no qualification certificate on file; a ${role} must be qualified`);
  }
  const byKind = new Map<string, CertificateRow[]>();
  for (const certificate of certificates) {
    const list = byKind.get(certificate.kind) ?? [];
    list.push(certificate);
    byKind.set(certificate.kind, list);
  }
  for (const [kind, list] of byKind) {
    const valid = list.some((cert) => cert.valid_until >= today && (cert.valid_from === null || cert.valid_from <= today));
    if (valid) continue;
    const expired = list.find((cert) => cert.valid_until < today);
    if (expired) {
      throw refuse(
        'certificate-expired',
        `${label}: ${kind} certificate ${expired.number} expired on ${expired.valid_until}; renew it before ${role === 'supplier' ? 'buying from' : 'selling to'} this partner`,
        { certificate: { kind, number: expired.number, validUntil: expired.valid_until } },
      );
    }
    const pending = list[list.length - 1];
    throw refuse('partner-not-qualified', `${label}: ${kind} certificate ${pending.number} is valid only from ${pending.valid_from}`, {
      certificate: { kind, number: pending.number, validFrom: pending.valid_from, validUntil: pending.valid_until },
    });
  }
}
