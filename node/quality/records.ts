// Checks shared by the quality record routes: a required reason, and that what
// a record links to exists (a product, a lot, a unit), as 422/404 problems
// naming the field.
import type { Sql, Tx } from '../db';
import { ProblemError, problems } from '../http/problem';
import type { WriteScope } from '../http/writes';

/** Manual status changes and corrections need a why (X-Reason or `reason`). */
export function requireReason(w: WriteScope, what: string): string {
  if (w.reason === undefined) {
    throw new ProblemError(422, 'reason-required', 'Reason required', `${what} needs a reason: send X-Reason or a reason field`, { field: 'reason' });
  }
  return w.reason;
}

export async function assertProductExists(sql: Sql | Tx, gtin: string): Promise<void> {
  const rows = await sql`select 1 from products where gtin = ${gtin}`;
  if (rows.length === 0) throw problems.invalidInput(`gtin: no product with GTIN ${gtin}`, 'gtin');
}

export async function assertLotExists(sql: Sql | Tx, gtin: string, lot: string): Promise<void> {
  const rows = await sql`select 1 from lots where gtin = ${gtin} and lot = ${lot}`;
  if (rows.length === 0) throw problems.invalidInput(`lot: no lot ${lot} of GTIN ${gtin}`, 'lot');
}

/** The lot of a unit; a 422 naming `serial` when there is no such unit (or it is of another lot than `lot`). */
export async function lotOfUnit(sql: Sql | Tx, gtin: string, serial: string, lot?: string): Promise<string> {
  const [row] = await sql<{ lot: string }[]>`select lot from units where gtin = ${gtin} and serial = ${serial}`;
  if (!row) throw problems.invalidInput(`serial: no unit ${serial} of GTIN ${gtin}`, 'serial');
  if (lot !== undefined && row.lot !== lot) {
    throw problems.invalidInput(`serial: unit ${serial} of GTIN ${gtin} belongs to lot ${row.lot}, not ${lot}`, 'serial');
  }
  return row.lot;
}
