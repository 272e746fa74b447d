// The node's customers (partners), by id: names beside customer ids, and
// whether a customer runs a node of its own (participant) to get notices.
import type { Api } from '../../../lib/api';

export interface Partner {
  id: number;
  code: string;
  name: string;
  isCustomer: boolean;
  participant: string | null;
  gln: string | null;
}

export async function loadCustomers(api: Api): Promise<Map<number, Partner>> {
  const customers = new Map<number, Partner>();
  let cursor: string | null = null;
  do {
    const page: { items: Partner[]; nextCursor: string | null } = await api.get('/api/v1/partners', { role: 'customer', limit: 500, cursor });
    for (const partner of page.items) customers.set(partner.id, partner);
    cursor = page.nextCursor;
  } while (cursor);
  return customers;
}
