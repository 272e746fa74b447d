// Every console view, in navigation order. Add a view: one file in this folder, one line here.
import type { View } from '../types';
import { homeView } from './home';

export const VIEWS: View[] = [homeView];
// Operations: lots, stock, orders, imports.
import { lotsView } from './lots';
import { stockView } from './stock';
import { ordersView } from './orders';
import { importsView } from './imports';
VIEWS.push(lotsView, stockView, ordersView, importsView);
