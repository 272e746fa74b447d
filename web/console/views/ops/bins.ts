// The node's bins, across its warehouses: bin codes beside bin ids.
import type { Api } from '../../../lib/api';

export interface Bin {
  id: number;
  warehouse: string;
  code: string;
  zone: string;
}

export async function loadBins(api: Api): Promise<Bin[]> {
  const warehouses = await api.get<{ items: { code: string }[] }>('/api/v1/warehouses', { limit: 500 });
  const pages = await Promise.all(warehouses.items.map((w) => api.get<{ items: Bin[] }>(`/api/v1/warehouses/${encodeURIComponent(w.code)}/bins`, { limit: 500 })));
  return pages.flatMap((p) => p.items);
}
