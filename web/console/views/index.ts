// Every console view, in navigation order. Add a view: one file in this folder, one line here.
import type { View } from '../types';
import { homeView } from './home';
// Operations: lots, stock, orders, imports.
import { lotsView } from './lots';
import { stockView } from './stock';
import { ordersView } from './orders';
import { importsView } from './imports';
// Network: notices and receipts, reconciliation, recalls, KPIs, audit trail, ledger and anchors.
import { noticesView } from './notices';
import { reconciliationView } from './reconciliation';
import { recallsView } from './recalls';
import { kpisView } from './kpis';
import { auditView } from './audit';
import { ledgerView } from './ledger';

export const VIEWS: View[] = [
  homeView,
  lotsView,
  stockView,
  ordersView,
  importsView,
  noticesView,
  reconciliationView,
  recallsView,
  kpisView,
  auditView,
  ledgerView,
];
