-- 0016: auditor tokens (DESIGN 6, /audit/v1). A participant issues an auditor a
-- scoped, expiring JWT signed with its Ed25519 signing key; the row here makes
-- it revocable and names the key that signed it (a token stays valid across a
-- key rotation until it expires or is revoked). Owned by node/auditors; forward only.

create table auditor_tokens (
  id bigint generated always as identity primary key,
  -- the JWT's jti: 128 random bits, hex
  jti text not null unique check (jti ~ '^[0-9a-f]{32}$'),
  auditor text not null check (length(auditor) between 1 and 200),
  scopes text[] not null check (cardinality(scopes) >= 1 and scopes <@ array['ledger', 'report', 'export', 'trace']),
  -- null: every GTIN; else only these (14 digits each)
  gtins text[] check (gtins is null or cardinality(gtins) >= 1),
  -- RFC 7638 thumbprint (0x hex) of the signing key that signed the token
  key_thumbprint text not null check (key_thumbprint ~ '^0x[0-9a-f]{64}$'),
  issued_by text not null,
  issued_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_by text,
  revoke_reason text,
  last_used_at timestamptz,
  check (expires_at > issued_at),
  check ((revoked_at is null) = (revoked_by is null))
);

create index auditor_tokens_by_issue on auditor_tokens (issued_at desc, id desc);
