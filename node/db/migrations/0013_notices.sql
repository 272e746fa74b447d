-- 0013: shipment notices between companies (issue 4, node/network): the peer
-- outbox (every message this node must deliver to another node, retried until
-- the receiver answers 2xx, never again after that), and the advance shipment
-- notices (ASN) other nodes pushed here, with the verdict of each line. Forward only.

-- Messages to other nodes. `kind` + `ref` name the message (unique: a shipment's
-- notice is enqueued once however often the code runs). `payload` is the JSON
-- body; null for a kind built at delivery time (a shipment notice waits for its
-- shipping event to be anchored, then its body is built and stored here).
create table peer_outbox (
  id bigint generated always as identity primary key,
  target text not null check (target ~ '^0x[0-9a-f]{40}$'),
  kind text not null check (kind ~ '^[a-z][a-z0-9_-]{0,39}$'),
  ref text not null check (length(ref) between 1 and 200),
  path text not null check (path ~ '^/peer/v1/'),
  payload jsonb,
  attempts integer not null default 0 check (attempts >= 0),
  next_attempt_at timestamptz not null default now(),
  delivered_at timestamptz,
  -- the receiver's answer to the delivery that succeeded (status and JSON body)
  response jsonb,
  last_error text,
  created_at timestamptz not null default now(),
  unique (kind, ref)
);

create index peer_outbox_due on peer_outbox (next_attempt_at) where delivered_at is null;

-- Notices received from other nodes, one per (sender, sender's shipment id):
-- a resend is answered with the stored notice. `status` is `verified` when
-- every line passed its checks on arrival, `failed` otherwise; `problems` lists
-- what failed and why.
create table inbound_notices (
  id bigint generated always as identity primary key,
  sender text not null check (sender ~ '^0x[0-9a-f]{40}$'),
  sender_shipment_id bigint not null,
  received_at timestamptz not null default now(),
  notice jsonb not null,
  status text not null check (status in ('verified', 'failed')),
  checked_at timestamptz not null default now(),
  problems jsonb not null default '[]',
  unique (sender, sender_shipment_id)
);

create index inbound_notices_by_status on inbound_notices (status, id);

-- The lines of a notice with their verdict (`blocked` names the reason) and
-- what receiving made of them.
create table inbound_notice_lines (
  notice_id bigint not null references inbound_notices (id),
  line_no integer not null check (line_no >= 1),
  gtin text collate "C" not null,
  lot text collate "C" not null,
  serial text collate "C",
  quantity integer not null check (quantity > 0),
  expiry date not null,
  verdict text not null check (verdict in ('ok', 'blocked')),
  reason text,
  state text not null default 'expected' check (state in ('expected', 'received', 'blocked', 'resolved')),
  received_quantity integer not null default 0 check (received_quantity >= 0),
  primary key (notice_id, line_no)
);

create index inbound_notice_lines_by_item on inbound_notice_lines (gtin, lot, serial);

-- A node's own receiving events, found by the notice builder (the pedigree of goods it ships on).
create index ledger_events_receiving on ledger_events (participant, seq) where (envelope -> 'event' ->> 'bizStep') = 'receiving';
