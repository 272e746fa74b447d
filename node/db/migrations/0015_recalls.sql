-- 0015: recalls (issue 4, node/recalls). A manufacturer issues a recall with an
-- e-signature onto the RecallBoard; every node watches the board (a cursor that
-- survives restarts), quarantines its affected stock, tells the customers it
-- shipped affected goods to and acknowledges to its supplier with counts; the
-- acknowledgements travel up to the manufacturer. Forward only.

-- A recall is signed with the meaning `recalled` (DESIGN 6: issuing a recall needs an e-signature).
alter table signatures drop constraint signatures_meaning_check;
alter table signatures add constraint signatures_meaning_check
  check (meaning in ('approved', 'released', 'reviewed', 'rejected', 'closed', 'issued', 'verified', 'recalled'));

-- How far a chain watcher has read (the last block fully processed), by watcher name.
create table chain_cursors (
  name text primary key check (name ~ '^[a-z0-9_.:-]{1,64}$'),
  block bigint not null check (block >= 0),
  updated_at timestamptz not null default now()
);

-- Recalls this node issued, with the notice document served at
-- /public/v1/recalls/{id}/notice (its SHA-256 is on the board).
create table issued_recalls (
  id bigint generated always as identity primary key,
  chain_recall_id bigint unique check (chain_recall_id >= 1),
  gtin text collate "C" not null check (gtin ~ '^[0-9]{14}$'),
  -- empty: every lot of the GTIN
  lots text[] not null,
  recall_class smallint not null check (recall_class between 1 and 3),
  action text not null check (action in ('return', 'correct', 'destroy', 'notice')),
  notice_title text,
  notice_media_type text not null,
  notice_filename text,
  notice_content bytea not null,
  notice_sha256 text not null check (notice_sha256 ~ '^0x[0-9a-f]{64}$'),
  notice_uri text not null,
  signature_id bigint references signatures (id),
  ledger_seq bigint check (ledger_seq >= 1),
  tx_hash text,
  block_number bigint,
  issued_by text not null,
  issued_at timestamptz not null default now(),
  status text not null default 'open' check (status in ('open', 'closed', 'withdrawn')),
  status_reason text,
  status_changed_at timestamptz,
  status_ledger_seq bigint
);

-- Every recall seen on the board (this node's own included), and what this node did about it.
create table recall_board (
  chain_recall_id bigint primary key check (chain_recall_id >= 1),
  issuer text not null check (issuer ~ '^0x[0-9a-f]{40}$'),
  gtin text collate "C" not null,
  lots text[] not null,
  recall_class smallint not null,
  action smallint not null,
  status text not null check (status in ('open', 'closed', 'withdrawn')),
  notice_sha256 text not null,
  notice_uri text not null,
  published_at timestamptz not null,
  published_block bigint not null,
  tx_hash text,
  status_updated_at timestamptz,
  seen_at timestamptz not null default now(),
  -- set when the local stock was quarantined, customers notified and the acknowledgement queued
  processed_at timestamptz,
  -- this node's first acknowledgement (time to acknowledge = acknowledged_at - published_at)
  acknowledged_at timestamptz,
  -- what processing did: the lots recalled here, their quantities, the customers notified
  outcome jsonb
);

create index recall_board_by_gtin on recall_board (gtin);

-- Customers this node told about a recall (a peer message through the outbox).
create table recall_notifications (
  chain_recall_id bigint not null references recall_board (chain_recall_id),
  target text not null check (target ~ '^0x[0-9a-f]{40}$'),
  partner_id bigint references partners (id),
  shipped_quantity integer not null check (shipped_quantity >= 0),
  notified_at timestamptz not null default now(),
  primary key (chain_recall_id, target)
);

-- Recall notices other nodes sent to this one (deduplicated by sender and recall).
create table recall_notices_received (
  chain_recall_id bigint not null,
  sender text not null check (sender ~ '^0x[0-9a-f]{40}$'),
  received_at timestamptz not null default now(),
  primary key (chain_recall_id, sender)
);

-- Acknowledgements with counts, one row per company and recall: this node's own
-- (company = this participant) and those received from customers, directly or
-- relayed by them. A newer version of a company's acknowledgement replaces the older.
create table recall_acks (
  chain_recall_id bigint not null,
  company text not null check (company ~ '^0x[0-9a-f]{40}$'),
  -- who delivered it: the company itself, or the customer that relayed it
  reported_by text not null check (reported_by ~ '^0x[0-9a-f]{40}$'),
  located integer not null check (located >= 0),
  quarantined integer not null check (quarantined >= 0),
  in_field integer not null check (in_field >= 0),
  acknowledged_at timestamptz not null,
  version bigint not null,
  received_at timestamptz not null default now(),
  primary key (chain_recall_id, company)
);

-- Versions of this node's own acknowledgements (a receiver keeps the highest it saw).
create sequence recall_ack_versions;
