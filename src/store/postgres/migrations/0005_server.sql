-- Why: the HTTP server authenticates bearer tokens (only their sha-256 is stored, so a leaked
-- database does not leak usable secrets), records an audit entry for every mutating call, and
-- serves statistics over tasks that ended in a window (an index on ended_at keeps that a range
-- read however many tasks exist).
CREATE TABLE api_tokens (
  id          text PRIMARY KEY,
  tenant      text NOT NULL,           -- '*' = every tenant (admin)
  role        text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  name        text,
  secret_hash text NOT NULL UNIQUE,    -- lowercase hex sha-256 of the secret
  created_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);

CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL,
  token_id    text,
  tenant      text NOT NULL,
  action      text NOT NULL,
  target      text,
  method      text NOT NULL,
  path        text NOT NULL,
  status_code integer NOT NULL,
  outcome     text NOT NULL CHECK (outcome IN ('ok', 'error')),
  error_code  text
);
CREATE INDEX audit_log_tenant_id ON audit_log (tenant, id);

CREATE INDEX tasks_ended_at ON tasks (ended_at) WHERE ended_at IS NOT NULL;
