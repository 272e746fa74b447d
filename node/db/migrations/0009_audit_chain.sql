-- 0009: the audit trail is hash-chained and itself anchored.
--
-- recordAudit (node/auth/auditTrail.ts) stores with each entry the SHA-256 of
-- the SDK canonical JSON (RFC 8785) of the entry: entry_sha256. At commit, a
-- deferred trigger links each new entry into the chain, in commit order under
-- a lock on the one head row:
--   hash(n) = sha256(hash(n - 1) ‖ entry_sha256(n)), hash(0) = 32 zero bytes.
-- The link is taken last (at commit), after any ledger head lock the write
-- holds, so the lock order is always ledger head, then audit head.
-- A periodic job appends the head (chain seq, hash, audit id) to the ledger
-- as a `medtrace:auditCheckpoint` event when the trail moved, so the anchored
-- ledger commits to the trail. Entries written before this migration stay
-- outside the chain (legacy_max_id). Forward only.

alter table audit_trail
  add column entry_sha256 text check (entry_sha256 ~ '^0x[0-9a-f]{64}$');

create table audit_chain (
  chain_seq bigint primary key check (chain_seq >= 1),
  audit_id bigint not null unique references audit_trail (id),
  entry_sha256 text not null check (entry_sha256 ~ '^0x[0-9a-f]{64}$'),
  prev_hash text not null check (prev_hash ~ '^0x[0-9a-f]{64}$'),
  hash text not null check (hash ~ '^0x[0-9a-f]{64}$'),
  linked_at timestamptz not null default now()
);

create table audit_chain_head (
  only_row boolean primary key default true check (only_row),
  chain_seq bigint not null default 0,
  hash text not null default '0x0000000000000000000000000000000000000000000000000000000000000000',
  audit_id bigint,
  -- entries up to this id were written before the chain existed
  legacy_max_id bigint not null
);

insert into audit_chain_head (legacy_max_id) select coalesce(max(id), 0) from audit_trail;

-- The checkpoints appended to the ledger (the ledger event is the authority;
-- this table finds them quickly and says whether the trail moved since).
create table audit_checkpoints (
  chain_seq bigint primary key check (chain_seq >= 1),
  hash text not null check (hash ~ '^0x[0-9a-f]{64}$'),
  audit_id bigint not null,
  ledger_seq bigint not null check (ledger_seq >= 1),
  created_at timestamptz not null default now()
);

create function audit_chain_link() returns trigger language plpgsql as $$
declare
  head_seq bigint;
  head_hash text;
  next_hash text;
begin
  -- rows written without recordAudit carry no digest: verification reports them
  if new.entry_sha256 is null then
    return null;
  end if;
  select chain_seq, hash into head_seq, head_hash from audit_chain_head for update;
  next_hash := '0x' || encode(sha256(decode(substr(head_hash, 3), 'hex') || decode(substr(new.entry_sha256, 3), 'hex')), 'hex');
  insert into audit_chain (chain_seq, audit_id, entry_sha256, prev_hash, hash)
    values (head_seq + 1, new.id, new.entry_sha256, head_hash, next_hash);
  update audit_chain_head set chain_seq = head_seq + 1, hash = next_hash, audit_id = new.id;
  return null;
end
$$;

create constraint trigger audit_trail_chain after insert on audit_trail
  deferrable initially deferred
  for each row execute function audit_chain_link();

create function audit_chain_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only', tg_table_name using errcode = 'P0001';
end
$$;

create trigger audit_chain_append_only before update or delete on audit_chain
  for each row execute function audit_chain_refuse_change();
create trigger audit_chain_no_truncate before truncate on audit_chain
  for each statement execute function audit_chain_refuse_change();
create trigger audit_checkpoints_append_only before update or delete on audit_checkpoints
  for each row execute function audit_chain_refuse_change();
