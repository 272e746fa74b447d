// CSV import of opening stock: the stock a participant holds when it starts on
// medtrace. One row per serial (serialised products) or per lot quantity
// (lot-controlled products); the rows of one lot share its GTIN and lot and
// agree on its dates. Each lot is new: it is created quarantined (QA releases
// it through the usual inspection + e-signature path), its stock goes into a
// quarantine bin through H4's receiveIntoStock (bin rules, journal), and ONE
// receiving event per lot lands in the ledger, in the same transaction.
import { z } from '@hono/zod-openapi';
import type { EpcisEvent } from '../../sdk';
import type { Tx } from '../db';
import { isoDateSchema, gtinSchema, lotSchema, serialSchema } from '../http/schemas';
import { ProblemError } from '../http/problem';
import { appendEvent, type LedgerContext } from '../ledger/append';
import { receiveIntoStock } from '../inventory';
import { unitsOrLotQuantity } from '../lots/events';
import { cell, numberCell, readTable, sortErrors, validateRow, type ImportError } from './table';

export const OPENING_STOCK_COLUMNS = ['gtin', 'lot', 'productionDate', 'expiry', 'serial', 'quantity', 'warehouse', 'bin', 'supplierLot'] as const;

const Row = z
  .strictObject({
    gtin: gtinSchema,
    lot: lotSchema,
    productionDate: isoDateSchema,
    expiry: isoDateSchema,
    serial: serialSchema.optional(),
    quantity: z.number().int('must be an integer').min(1, 'must be at least 1').max(10_000_000).optional(),
    warehouse: z.string().regex(/^[A-Z0-9][A-Z0-9_-]{0,31}$/, 'must be a warehouse code').optional(),
    bin: z.string().regex(/^[A-Z0-9][A-Z0-9_.-]{0,31}$/, 'must be a bin code').optional(),
    supplierLot: z.string().trim().min(1).max(40).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.expiry <= value.productionDate) {
      ctx.addIssue({ code: 'custom', path: ['expiry'], message: `must be after productionDate ${value.productionDate}` });
    }
    if ((value.serial === undefined) === (value.quantity === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['serial'], message: 'give a serial (serialised product) or a quantity (lot-controlled product), one of them' });
    }
  });

export interface PlannedLot {
  rows: number[];
  gtin: string;
  lot: string;
  productionDate: string;
  expiry: string;
  supplierLot?: string;
  warehouse: string;
  bin?: string;
  serials: string[];
  quantity: number;
}

export async function planOpeningStock(tx: Tx, text: string): Promise<{ rows: number; valid: PlannedLot[]; errors: ImportError[]; fileErrors: boolean }> {
  const table = readTable(text, { known: OPENING_STOCK_COLUMNS, required: ['gtin', 'lot', 'productionDate', 'expiry'] });
  const fileErrors = table.errors.some((e) => e.row === 1 || e.field === 'file');
  const errors = [...table.errors];
  const lots = new Map<string, PlannedLot & { bad: boolean }>();
  const serialRows = new Map<string, number>();

  for (const { row, values } of table.rows) {
    const { value, errors: rowErrors } = validateRow(Row, row, {
      gtin: cell(values.gtin),
      lot: cell(values.lot),
      productionDate: cell(values.productionDate),
      expiry: cell(values.expiry),
      serial: cell(values.serial),
      quantity: numberCell(values.quantity),
      warehouse: cell(values.warehouse),
      bin: cell(values.bin),
      supplierLot: cell(values.supplierLot),
    });
    if (!value) {
      errors.push(...rowErrors);
      const key = cell(values.gtin) && cell(values.lot) ? `${cell(values.gtin)}\u0000${cell(values.lot)}` : undefined;
      const known = key && [...lots.values()].find((l) => `${l.gtin}\u0000${l.lot}` === key);
      if (known) known.bad = true;
      continue;
    }
    const key = `${value.gtin}\u0000${value.lot}`;
    let lot = lots.get(key);
    if (!lot) {
      lot = {
        rows: [],
        gtin: value.gtin,
        lot: value.lot,
        productionDate: value.productionDate,
        expiry: value.expiry,
        supplierLot: value.supplierLot,
        warehouse: value.warehouse ?? 'MAIN',
        bin: value.bin,
        serials: [],
        quantity: 0,
        bad: false,
      };
      lots.set(key, lot);
    } else {
      const first = lot.rows[0];
      for (const [field, mine, theirs] of [
        ['productionDate', value.productionDate, lot.productionDate],
        ['expiry', value.expiry, lot.expiry],
        ['warehouse', value.warehouse ?? 'MAIN', lot.warehouse],
        ['bin', value.bin, lot.bin],
        ['supplierLot', value.supplierLot, lot.supplierLot],
      ] as const) {
        if (mine !== theirs) {
          errors.push({ row, field, rule: 'conflicting-lot-fields', message: `${field} differs from row ${first} of lot ${value.lot}: one lot, one ${field}` });
          lot.bad = true;
        }
      }
    }
    lot.rows.push(row);
    if (value.serial !== undefined) {
      const serialKey = `${value.gtin}\u0000${value.serial}`;
      const seen = serialRows.get(serialKey);
      if (seen !== undefined) {
        errors.push({ row, field: 'serial', rule: 'duplicate-in-file', message: `serial ${value.serial} of GTIN ${value.gtin} is already on row ${seen}` });
        lot.bad = true;
        continue;
      }
      serialRows.set(serialKey, row);
      lot.serials.push(value.serial);
    } else lot.quantity += value.quantity!;
  }

  // Checks against the database: product and its tracking, the lot is new, serials unknown, the bin a quarantine bin.
  const valid: PlannedLot[] = [];
  for (const lot of lots.values()) {
    const first = lot.rows[0];
    const refuse = (field: string, rule: string, message: string) => {
      errors.push({ row: first, field, rule, message });
      lot.bad = true;
    };
    const [product] = await tx<{ tracking: string }[]>`select tracking from products where gtin = ${lot.gtin}`;
    if (!product) refuse('gtin', 'unknown-product', `no product with GTIN ${lot.gtin}; import the product first`);
    else if (product.tracking === 'serial' && lot.quantity > 0) {
      refuse('quantity', 'tracking', `GTIN ${lot.gtin} is serialised: one row per serial, no quantity`);
    } else if (product.tracking === 'lot' && lot.serials.length > 0) {
      refuse('serial', 'tracking', `GTIN ${lot.gtin} is lot-controlled: a quantity per lot, no serials`);
    }
    if ((await tx`select 1 from lots where gtin = ${lot.gtin} and lot = ${lot.lot}`).length > 0) {
      refuse('lot', 'exists', `lot ${lot.lot} of GTIN ${lot.gtin} already exists; opening stock creates new lots`);
    }
    if (lot.serials.length > 0) {
      const known = await tx<{ serial: string }[]>`
        select serial from units where gtin = ${lot.gtin} and serial = any(${tx.array(lot.serials)}::text[]) limit 10`;
      for (const { serial } of known) {
        errors.push({ row: serialRows.get(`${lot.gtin}\u0000${serial}`)!, field: 'serial', rule: 'exists', message: `GTIN ${lot.gtin} already has a unit with serial ${serial}` });
        lot.bad = true;
      }
    }
    const [bin] = lot.bin
      ? await tx<{ zone: string }[]>`select zone from bins where warehouse = ${lot.warehouse} and code = ${lot.bin}`
      : await tx<{ zone: string }[]>`select zone from bins where warehouse = ${lot.warehouse} and zone = 'quarantine' and is_default`;
    if (!bin) {
      refuse(lot.bin ? 'bin' : 'warehouse', 'unknown-bin', lot.bin ? `warehouse ${lot.warehouse} has no bin ${lot.bin}` : `warehouse ${lot.warehouse} has no default quarantine bin`);
    } else if (bin.zone !== 'quarantine') {
      refuse('bin', 'bin-not-quarantine', `bin ${lot.warehouse}/${lot.bin} is a ${bin.zone} bin: opening stock arrives quarantined, QA releases it`);
    }
    if (!lot.bad) valid.push(lot);
  }
  sortErrors(errors, OPENING_STOCK_COLUMNS);
  return { rows: table.rows.length + table.errors.filter((e) => e.rule === 'field-count').length, valid, errors, fileErrors };
}

export function openingStockEvent(
  lot: PlannedLot,
  fileSha256: string,
  time: { eventTime: string; eventTimeZoneOffset: string },
): EpcisEvent {
  return {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'receiving',
    disposition: 'sellable_not_accessible',
    eventTime: time.eventTime,
    eventTimeZoneOffset: time.eventTimeZoneOffset,
    ...unitsOrLotQuantity(lot.gtin, lot.lot, lot),
    'medtrace:lot': {
      gtin: lot.gtin,
      lot: lot.lot,
      productionDate: lot.productionDate,
      expiry: lot.expiry,
      ...(lot.supplierLot === undefined ? {} : { supplierLot: lot.supplierLot }),
    },
    'medtrace:openingStock': { importSha256: fileSha256 },
  };
}

/**
 * Creates each planned lot (quarantined, origin received), puts its stock in the
 * bin through receiveIntoStock and appends its receiving event. A refusal by a
 * shared rule (e.g. a bin that does not mix lots) is returned as an error of the
 * lot's first row, the lot rolled back (savepoint) and the others kept.
 */
export async function importOpeningStock(
  tx: Tx,
  planned: readonly PlannedLot[],
  options: { actor: string; ledger: LedgerContext; fileSha256: string; eventTimeZoneOffset: string; reason?: string },
): Promise<{ created: { gtin: string; lot: string; quantity: number; ledgerSeq: number; rows: number[] }[]; errors: ImportError[] }> {
  const created = [];
  const errors: ImportError[] = [];
  for (const lot of planned) {
    try {
      const done = await tx.savepoint(async (sp) => {
        const isSerial = lot.serials.length > 0;
        await sp`
          insert into lots (gtin, lot, production_date, expiry, unit_count, created_by, origin, supplier_lot)
          values (${lot.gtin}, ${lot.lot}, ${lot.productionDate}, ${lot.expiry}, ${isSerial ? 0 : lot.quantity}, ${options.actor}, 'received',
                  ${lot.supplierLot ?? null})`;
        const [bin] = lot.bin
          ? await sp<{ id: number }[]>`select id from bins where warehouse = ${lot.warehouse} and code = ${lot.bin}`
          : await sp<{ id: number }[]>`select id from bins where warehouse = ${lot.warehouse} and zone = 'quarantine' and is_default`;
        const stock = await receiveIntoStock(sp as unknown as Tx, {
          gtin: lot.gtin,
          lot: lot.lot,
          binId: Number(bin.id),
          ...(isSerial ? { serials: lot.serials } : { quantity: lot.quantity }),
          kind: 'opening',
          actor: options.actor,
          ref: { type: 'import', id: options.fileSha256 },
          reason: options.reason,
        });
        const event = openingStockEvent(lot, options.fileSha256, { eventTime: new Date().toISOString(), eventTimeZoneOffset: options.eventTimeZoneOffset });
        const { seq } = await appendEvent(sp as unknown as Tx, options.ledger, event);
        await sp`update stock_moves set ledger_seq = ${seq} where ref_type = 'import' and ref_id = ${options.fileSha256} and gtin = ${lot.gtin} and lot = ${lot.lot}`;
        return { gtin: lot.gtin, lot: lot.lot, quantity: stock.quantity, ledgerSeq: seq, rows: lot.rows };
      });
      created.push(done);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      const raw = error.extras.field === 'binId' ? 'bin' : error.extras.field === 'serials' ? 'serial' : error.extras.field;
      const field = typeof raw === 'string' && (OPENING_STOCK_COLUMNS as readonly string[]).includes(raw) ? raw : 'lot';
      errors.push({ row: lot.rows[0], field, rule: error.type.split('/').pop()!, message: error.detail });
    }
  }
  return { created, errors };
}
