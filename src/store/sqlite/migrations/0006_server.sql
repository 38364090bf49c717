-- Why: the HTTP server authenticates bearer tokens (only their sha-256 is stored, so a leaked
-- database does not leak usable secrets), records an audit entry for every mutating call, and
-- serves statistics over tasks that ended in a window (an index on ended_at keeps that a range
-- read however many tasks exist).
CREATE TABLE api_tokens (
  id          TEXT PRIMARY KEY,
  tenant      TEXT NOT NULL,           -- '*' = every tenant (admin)
  role        TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  name        TEXT,
  secret_hash TEXT NOT NULL UNIQUE,    -- lowercase hex sha-256 of the secret
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);

CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,
  token_id    TEXT,
  tenant      TEXT NOT NULL,
  action      TEXT NOT NULL,
  target      TEXT,
  method      TEXT NOT NULL,
  path        TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'error')),
  error_code  TEXT
);
CREATE INDEX audit_log_tenant_id ON audit_log (tenant, id);

CREATE INDEX tasks_ended_at ON tasks (ended_at) WHERE ended_at IS NOT NULL;
