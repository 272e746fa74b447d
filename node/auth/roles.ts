// The role matrix, in one place: which staff roles may do what. Routes ask
// `requireRole(...ACCESS.commissionLots)`; nothing else decides access.
import { STAFF_ROLES, type Role } from '../http/env';

export { STAFF_ROLES, type Role };

const EVERYONE: readonly Role[] = STAFF_ROLES;

export const ACCESS = {
  /** create users and change their roles */
  manageUsers: ['admin'],
  /** create products (master data of a regulated device) */
  writeProducts: ['admin', 'qa'],
  /** commission a lot and its serials */
  commissionLots: ['admin', 'warehouse'],
  /** record incoming or final inspections */
  recordInspections: ['admin', 'qa'],
  /** read products, lots, inspections */
  readErp: EVERYONE,
  /** partners, their certificates, warehouses and bins; CSV import of master data */
  writeMasterData: ['admin'],
  /** purchase orders */
  writePurchasing: ['admin', 'sales'],
  /** receive goods (against a purchase order, or a customer return) */
  receiveGoods: ['admin', 'warehouse'],
  /** release, reject, block, quarantine a lot (release needs an e-signature) */
  changeLotStatus: ['admin', 'qa'],
  /** nonconformances, CAPA, deviations, complaints */
  writeQualityRecords: ['admin', 'qa'],
  /** stock moves, cycle counts, opening stock */
  writeStock: ['admin', 'warehouse'],
  /** sales orders, RMAs, invoices */
  writeOrders: ['admin', 'sales'],
  /** allocate, pick, ship */
  fulfilOrders: ['admin', 'warehouse'],
  /** read KPIs and the audit trail */
  readReports: ['admin', 'qa', 'viewer'],
  /** read the ledger and proof bundles as the node's own staff (auditors use an auditor token) */
  readAudit: ['admin'],
  /** the participant's network settings: signing key rotation, endpoint, auditor tokens */
  manageNetwork: ['admin'],
  /** issue, update and close a recall (issuing needs an e-signature) */
  issueRecalls: ['admin', 'qa'],
  /** read shipment notices, reconciliation, recalls, traces */
  readNetwork: EVERYONE,
  /** resolve a reconciliation item (shipped vs received) */
  reconcile: ['admin', 'warehouse', 'sales'],
  /** record a unit used on a patient (dispensing) */
  dispenseUnits: ['admin', 'warehouse'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof ACCESS;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (STAFF_ROLES as readonly string[]).includes(value);
}
