-- 0006: quality records (issue 3), owned by node/quality: an inspection's
-- sampling plan and its result per test item, nonconformances, CAPA with its
-- actions, deviations and customer complaints. These are internal records (the
-- audit trail keeps their history); only an inspection, or a lot status change
-- a record causes, writes a ledger event. Forward only.

-- The sampling plan of an inspection (ISO 2859-1 style figures given by the
-- inspector, not looked up): all four or none. Older inspections have none.
alter table inspections
  add column lot_size integer check (lot_size >= 1),
  add column sample_size integer check (sample_size >= 1),
  add column acceptance_number integer check (acceptance_number >= 0),
  add column defects integer check (defects >= 0),
  add check (
    (lot_size is null and sample_size is null and acceptance_number is null and defects is null)
    or (lot_size is not null and sample_size is not null and acceptance_number is not null and defects is not null
        and sample_size <= lot_size and acceptance_number < sample_size and defects <= sample_size)
  );

-- One result per test item of an inspection, in the order given.
create table inspection_items (
  inspection_id bigint not null references inspections (id),
  position integer not null check (position >= 1),
  name text not null check (length(name) between 1 and 200),
  spec text not null check (length(spec) between 1 and 500),
  measured text not null check (length(measured) between 1 and 500),
  result text not null check (result in ('pass', 'fail')),
  primary key (inspection_id, position)
);

-- Customer complaints about a unit or a lot.
create table complaints (
  id bigint generated always as identity primary key,
  gtin text collate "C" not null references products (gtin),
  lot text collate "C",
  serial text collate "C",
  customer_id bigint references partners (id),
  -- when the customer reported it (may be before it was entered here)
  received_on date not null,
  description text not null check (length(description) between 1 and 4000),
  -- a serious incident to be reported to the authority (MDR Art. 87)
  reportable boolean not null default false,
  status text not null default 'open' check (status in ('open', 'closed')),
  resolution text check (length(resolution) between 1 and 4000),
  created_at timestamptz not null default now(),
  created_by text not null,
  closed_at timestamptz,
  closed_by text,
  check (lot is not null or serial is null),
  check ((status = 'closed') = (resolution is not null and closed_at is not null)),
  foreign key (gtin, lot) references lots (gtin, lot)
);

-- Nonconformances: what did not conform, where it came from, what is done with it.
create table nonconformances (
  id bigint generated always as identity primary key,
  source text not null check (source in ('inspection', 'receipt', 'complaint', 'internal')),
  gtin text collate "C" references products (gtin),
  lot text collate "C",
  inspection_id bigint references inspections (id),
  -- the goods receipt found nonconforming (0005, node/purchasing)
  receipt_id bigint references receipts (id),
  complaint_id bigint references complaints (id),
  severity text not null check (severity in ('minor', 'major', 'critical')),
  description text not null check (length(description) between 1 and 4000),
  status text not null default 'open' check (status in ('open', 'dispositioned', 'closed')),
  disposition text check (disposition in ('rework', 'scrap', 'use_as_is', 'return')),
  disposition_note text check (length(disposition_note) <= 4000),
  dispositioned_at timestamptz,
  dispositioned_by text,
  created_at timestamptz not null default now(),
  created_by text not null,
  closed_at timestamptz,
  closed_by text,
  check (lot is null or gtin is not null),
  check ((source = 'inspection') = (inspection_id is not null)),
  check (source <> 'complaint' or complaint_id is not null),
  check (source <> 'receipt' or receipt_id is not null),
  check ((status = 'open') = (disposition is null)),
  foreign key (gtin, lot) references lots (gtin, lot)
);

create index nonconformances_by_lot on nonconformances (gtin, lot) where lot is not null;
create index nonconformances_open on nonconformances (id) where status <> 'closed';
create unique index nonconformances_one_per_inspection on nonconformances (inspection_id) where inspection_id is not null;

alter table complaints add column nonconformance_id bigint references nonconformances (id);

-- CAPA: corrective and preventive action, closed by a signature once every
-- action is done and the effectiveness check says effective.
create table capas (
  id bigint generated always as identity primary key,
  title text not null check (length(title) between 1 and 200),
  nonconformance_id bigint references nonconformances (id),
  complaint_id bigint references complaints (id),
  root_cause text check (length(root_cause) between 1 and 4000),
  effectiveness_check text check (length(effectiveness_check) between 1 and 4000),
  effective boolean,
  status text not null default 'open' check (status in ('open', 'closed')),
  close_signature_id bigint references signatures (id),
  created_at timestamptz not null default now(),
  created_by text not null,
  updated_at timestamptz not null default now(),
  closed_at timestamptz,
  closed_by text,
  check ((status = 'closed') = (close_signature_id is not null)),
  check (status = 'open' or (root_cause is not null and effectiveness_check is not null and effective))
);

create index capas_open on capas (id) where status = 'open';

create table capa_actions (
  id bigint generated always as identity primary key,
  capa_id bigint not null references capas (id),
  description text not null check (length(description) between 1 and 2000),
  -- the user who owns the action
  owner text not null,
  due_date date not null,
  status text not null default 'open' check (status in ('open', 'done')),
  done_at timestamptz,
  done_by text,
  note text check (length(note) <= 4000),
  created_at timestamptz not null default now(),
  check ((status = 'done') = (done_at is not null))
);

create index capa_actions_by_capa on capa_actions (capa_id);

-- Deviations: a planned departure from a procedure or specification, for a
-- time window and optionally one product or lot, approved by QA's signature.
create table deviations (
  id bigint generated always as identity primary key,
  title text not null check (length(title) between 1 and 200),
  description text not null check (length(description) between 1 and 4000),
  gtin text collate "C" references products (gtin),
  lot text collate "C",
  valid_from date not null,
  valid_until date not null,
  status text not null default 'requested' check (status in ('requested', 'approved')),
  approval_signature_id bigint references signatures (id),
  created_at timestamptz not null default now(),
  created_by text not null,
  approved_at timestamptz,
  approved_by text,
  check (valid_until >= valid_from),
  check (lot is null or gtin is not null),
  check ((status = 'approved') = (approval_signature_id is not null)),
  foreign key (gtin, lot) references lots (gtin, lot)
);
