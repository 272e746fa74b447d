-- 0002: the append-only event ledger (DESIGN 4.1-4.3) and its anchoring on
-- chain (DESIGN 4.5). Owned by node/ledger and node/chain; forward only.

-- One row per participant: the last seq and leaf. appendEvent locks this row
-- (update ... returning) so seq stays gapless whatever the concurrency.
create table ledger_heads (
  participant text primary key check (participant ~ '^0x[0-9a-f]{40}$'),
  seq bigint not null check (seq >= 0),
  leaf text not null check (leaf ~ '^0x[0-9a-f]{64}$'),
  updated_at timestamptz not null default now()
);

create table ledger_events (
  participant text not null check (participant ~ '^0x[0-9a-f]{40}$'),
  seq bigint not null check (seq >= 1),
  -- The envelope as JSON for queries; the exact bytes hashed are `canonical`.
  envelope jsonb not null,
  canonical bytea not null,
  salt text not null check (salt ~ '^0x[0-9a-f]{64}$'),
  leaf text not null check (leaf ~ '^0x[0-9a-f]{64}$'),
  prev text not null check (prev ~ '^0x[0-9a-f]{64}$'),
  recorded_at timestamptz not null default now(),
  primary key (participant, seq)
);

-- The disclosed-on-demand side of each unit set (DESIGN 4.2): the sorted,
-- de-duplicated URIs whose Merkle root sits in the event.
create table ledger_unit_sets (
  participant text not null,
  seq bigint not null,
  field text not null check (field in ('epcList', 'childEPCs', 'inputEPCList', 'outputEPCList')),
  count integer not null check (count >= 0),
  root text not null check (root ~ '^0x[0-9a-f]{64}$'),
  uris text[] not null,
  primary key (participant, seq, field),
  foreign key (participant, seq) references ledger_events (participant, seq)
);

-- Batches as anchored on chain (AnchorLog numbers them from 0 per participant).
create table anchor_batches (
  participant text not null check (participant ~ '^0x[0-9a-f]{40}$'),
  batch bigint not null check (batch >= 0),
  from_seq bigint not null check (from_seq >= 1),
  to_seq bigint not null,
  root text not null check (root ~ '^0x[0-9a-f]{64}$'),
  tx_hash text not null check (tx_hash ~ '^0x[0-9a-f]{64}$'),
  block_number bigint not null check (block_number >= 0),
  anchored_at timestamptz not null,
  -- false when a batch recovered from the chain does not match the local ledger
  root_matches boolean not null default true,
  recorded_at timestamptz not null default now(),
  primary key (participant, batch),
  unique (participant, from_seq),
  check (to_seq >= from_seq)
);

-- A signed anchor transaction, stored before it is broadcast so a restarted
-- worker rebroadcasts the very same bytes (same nonce, same hash) instead of
-- signing a second anchor: a duplicate batch is impossible by construction.
create table anchor_intents (
  id bigserial primary key,
  participant text not null check (participant ~ '^0x[0-9a-f]{40}$'),
  from_address text not null check (from_address ~ '^0x[0-9a-f]{40}$'),
  to_address text not null check (to_address ~ '^0x[0-9a-f]{40}$'),
  from_seq bigint not null check (from_seq >= 1),
  to_seq bigint not null,
  root text not null check (root ~ '^0x[0-9a-f]{64}$'),
  tx_hash text not null unique check (tx_hash ~ '^0x[0-9a-f]{64}$'),
  raw_tx text not null check (raw_tx ~ '^0x([0-9a-f]{2})+$'),
  nonce bigint not null check (nonce >= 0),
  state text not null default 'pending' check (state in ('pending', 'mined', 'reverted', 'dropped')),
  created_at timestamptz not null default now(),
  resolved_at timestamptz,
  check (to_seq >= from_seq)
);

-- At most one unresolved intent per participant.
create unique index anchor_intents_one_pending on anchor_intents (participant) where state = 'pending';
