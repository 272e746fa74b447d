// CAPA (corrective and preventive action): a root cause, actions with owners
// and due dates, and an effectiveness check; closed with an e-signature once
// every action is done and the check found the actions effective.
import type { Sql, Tx } from '../db';

export interface CapaAction {
  id: number;
  description: string;
  owner: string;
  dueDate: string;
  status: 'open' | 'done';
  doneAt: string | null;
  doneBy: string | null;
  note: string | null;
}

export interface Capa {
  id: number;
  title: string;
  nonconformanceId: number | null;
  complaintId: number | null;
  rootCause: string | null;
  effectivenessCheck: string | null;
  effective: boolean | null;
  status: 'open' | 'closed';
  closeSignatureId: number | null;
  actions: CapaAction[];
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: string | null;
}

interface CapaRow {
  id: number;
  title: string;
  nonconformance_id: number | null;
  complaint_id: number | null;
  root_cause: string | null;
  effectiveness_check: string | null;
  effective: boolean | null;
  status: Capa['status'];
  close_signature_id: number | null;
  actions: CapaAction[] | null;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  closed_at: Date | null;
  closed_by: string | null;
}

function toCapa(row: CapaRow): Capa {
  return {
    id: row.id,
    title: row.title,
    nonconformanceId: row.nonconformance_id,
    complaintId: row.complaint_id,
    rootCause: row.root_cause,
    effectivenessCheck: row.effectiveness_check,
    effective: row.effective,
    status: row.status,
    closeSignatureId: row.close_signature_id,
    actions: row.actions ?? [],
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
    closedAt: row.closed_at === null ? null : row.closed_at.toISOString(),
    closedBy: row.closed_by,
  };
}

function selectCapas(sql: Sql | Tx) {
  // Timestamps of actions in the same ISO form as the record's own.
  return sql`
    select c.id, c.title, c.nonconformance_id, c.complaint_id, c.root_cause, c.effectiveness_check, c.effective, c.status,
           c.close_signature_id, c.created_at, c.created_by, c.updated_at, c.closed_at, c.closed_by,
           (select json_agg(json_build_object(
                     'id', a.id, 'description', a.description, 'owner', a.owner, 'dueDate', a.due_date::text,
                     'status', a.status,
                     'doneAt', to_char(a.done_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                     'doneBy', a.done_by, 'note', a.note) order by a.id)
            from capa_actions a where a.capa_id = c.id) as actions
    from capas c`;
}

export async function findCapa(sql: Sql | Tx, id: number, options: { lock?: boolean } = {}): Promise<Capa | undefined> {
  if (options.lock) await sql`select 1 from capas where id = ${id} for update`;
  const [row] = await sql<CapaRow[]>`${selectCapas(sql)} where c.id = ${id}`;
  return row && toCapa(row);
}

export async function listCapas(sql: Sql, filter: { status?: Capa['status']; afterId?: number; limit: number }): Promise<Capa[]> {
  const rows = await sql<CapaRow[]>`
    ${selectCapas(sql)}
    where ${filter.status === undefined ? sql`true` : sql`c.status = ${filter.status}`}
      and ${filter.afterId === undefined ? sql`true` : sql`c.id > ${filter.afterId}`}
    order by c.id
    limit ${filter.limit}`;
  return rows.map(toCapa);
}

export async function insertCapa(
  tx: Tx,
  capa: Pick<Capa, 'title' | 'nonconformanceId' | 'complaintId' | 'rootCause'>,
  actor: string,
): Promise<number> {
  const [{ id }] = await tx<{ id: number }[]>`
    insert into capas (title, nonconformance_id, complaint_id, root_cause, created_by)
    values (${capa.title}, ${capa.nonconformanceId}, ${capa.complaintId}, ${capa.rootCause}, ${actor})
    returning id`;
  return id;
}

export async function insertCapaAction(tx: Tx, capaId: number, action: Pick<CapaAction, 'description' | 'owner' | 'dueDate'>): Promise<number> {
  const [{ id }] = await tx<{ id: number }[]>`
    insert into capa_actions (capa_id, description, owner, due_date)
    values (${capaId}, ${action.description}, ${action.owner}, ${action.dueDate})
    returning id`;
  return id;
}

export async function updateCapa(
  tx: Tx,
  id: number,
  change: { rootCause?: string; effectivenessCheck?: string; effective?: boolean },
): Promise<void> {
  await tx`
    update capas set
      root_cause = coalesce(${change.rootCause ?? null}, root_cause),
      effectiveness_check = coalesce(${change.effectivenessCheck ?? null}, effectiveness_check),
      effective = coalesce(${change.effective ?? null}::boolean, effective),
      updated_at = now()
    where id = ${id}`;
}

export async function completeCapaAction(tx: Tx, actionId: number, note: string | null, actor: string): Promise<void> {
  await tx`update capa_actions set status = 'done', done_at = now(), done_by = ${actor}, note = coalesce(${note}, note) where id = ${actionId}`;
}

export async function markCapaClosed(tx: Tx, id: number, signatureId: number, actor: string): Promise<void> {
  await tx`
    update capas set status = 'closed', close_signature_id = ${signatureId}, closed_at = now(), closed_by = ${actor}, updated_at = now()
    where id = ${id}`;
}

/** What still keeps an open CAPA from closing, in words; empty when it may close. */
export function capaClosingGaps(capa: Capa): string[] {
  const gaps: string[] = [];
  if (capa.rootCause === null) gaps.push('no root cause recorded');
  if (capa.actions.length === 0) gaps.push('no actions');
  const open = capa.actions.filter((action) => action.status !== 'done');
  if (open.length > 0) gaps.push(`actions not done: ${open.map((action) => `${action.id} (${action.owner}, due ${action.dueDate})`).join(', ')}`);
  if (capa.effectivenessCheck === null) gaps.push('no effectiveness check recorded');
  else if (capa.effective !== true) gaps.push('the effectiveness check did not find the actions effective');
  return gaps;
}

/** An active staff user who may own an action. */
export async function userExists(sql: Sql | Tx, username: string): Promise<boolean> {
  return (await sql`select 1 from users where username = ${username} and not disabled`).length > 0;
}
