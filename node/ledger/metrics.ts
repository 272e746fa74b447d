// Prometheus gauges of the ledger and its anchoring, read from the database at
// scrape time, so any API process reports them whichever process anchors.
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Sql } from '../db';

export function registerLedgerMetrics(registry: Registry, ctx: { sql: Sql; participant: string }): void {
  let snapshot: Promise<{ head: number; anchored: number; oldestAgeSeconds: number }> | null = null;
  // One query per scrape, shared by the gauges (prom-client collects them one by one).
  const read = () => {
    snapshot ??= (async () => {
      const [row] = await ctx.sql`
        select
          coalesce((select seq from ledger_heads where participant = ${ctx.participant}), 0) as head,
          coalesce((select max(to_seq) from anchor_batches where participant = ${ctx.participant}), 0) as anchored`;
      const head = Number(row.head);
      const anchored = Number(row.anchored);
      let oldestAgeSeconds = 0;
      if (head > anchored) {
        const [oldest] = await ctx.sql`
          select extract(epoch from (now() - recorded_at))::float8 as age
          from ledger_events where participant = ${ctx.participant} and seq = ${anchored + 1}`;
        oldestAgeSeconds = oldest ? Number(oldest.age) : 0;
      }
      return { head, anchored, oldestAgeSeconds };
    })().finally(() => setTimeout(() => (snapshot = null), 100).unref());
    return snapshot;
  };
  const gauge = (name: string, help: string, pick: (s: Awaited<ReturnType<typeof read>>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        try {
          this.set(pick(await read()));
        } catch {
          // the database is unreachable: /ready reports that; keep the last value
        }
      },
    });
  gauge('medtrace_ledger_head_seq', 'Last seq recorded in the ledger', (s) => s.head);
  gauge('medtrace_anchor_last_anchored_seq', 'Last seq anchored on chain (as recorded locally)', (s) => s.anchored);
  gauge('medtrace_anchor_pending_events', 'Events recorded but not anchored yet', (s) => s.head - s.anchored);
  gauge('medtrace_anchor_oldest_pending_age_seconds', 'Age of the oldest event not anchored yet', (s) => s.oldestAgeSeconds);
}
