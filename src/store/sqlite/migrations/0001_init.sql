-- Why: the first schema of the embedded store. Tasks carry their current step's executor and
-- effective queue (denormalized, kept in sync on every advance) so a claim is one read of a
-- partial index on ready work, whose cost stays flat however many finished rows pile up.
-- Times are INTEGER ms since the epoch; JSON values are TEXT.

CREATE TABLE tasks (
  id                   TEXT PRIMARY KEY,
  tenant               TEXT NOT NULL,
  type                 TEXT NOT NULL,
  name                 TEXT,
  index_key            TEXT,
  index_type           TEXT,
  queue                TEXT NOT NULL,
  priority             INTEGER NOT NULL DEFAULT 0,
  creator              TEXT,
  params               TEXT NOT NULL DEFAULT '{}',
  payload              TEXT NOT NULL DEFAULT 'null',
  step_count           INTEGER NOT NULL CHECK (step_count >= 1),
  current_step         INTEGER NOT NULL DEFAULT 0,
  -- the current step's executor and `step.queue ?? task.queue`; what a claim filters on
  current_executor     TEXT,
  current_queue        TEXT,
  status               TEXT NOT NULL
                       CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'timeout', 'cancelled')),
  message              TEXT,
  progress             INTEGER NOT NULL DEFAULT 0,
  progress_message     TEXT,
  result               TEXT,
  run_at               INTEGER NOT NULL,
  timeout_ms           INTEGER,
  start_timeout_ms     INTEGER,
  deadline_at          INTEGER,
  retry_count          INTEGER NOT NULL DEFAULT 0,
  callbacks            TEXT NOT NULL DEFAULT '[]',
  callback_status      TEXT CHECK (callback_status IN ('pending', 'running', 'succeeded', 'failed')),
  callback_message     TEXT,
  callback_attempts    INTEGER NOT NULL DEFAULT 0,
  callback_run_at      INTEGER,
  callback_lease_until INTEGER,
  callback_token       INTEGER NOT NULL DEFAULT 0,
  definition_id        TEXT,
  scheduled_at         INTEGER,
  cancel_requested     INTEGER NOT NULL DEFAULT 0,
  locked_by            TEXT,
  lease_until          INTEGER,
  lease_token          INTEGER NOT NULL DEFAULT 0,
  created_at           INTEGER NOT NULL,
  started_at           INTEGER,
  ended_at             INTEGER,
  updated_at           INTEGER NOT NULL,
  execution_ms         INTEGER
);

-- Ready work only: claim walks this in order and stops at LIMIT. The filter columns ride
-- along so rows of other queues/executors are skipped without touching the table.
CREATE INDEX tasks_ready ON tasks (priority DESC, run_at, id, current_queue, current_executor, cancel_requested)
  WHERE status = 'pending';

-- De-duplication by business key among active tasks; an absent index type counts as ''.
CREATE UNIQUE INDEX tasks_active_index ON tasks (tenant, type, ifnull(index_type, ''), index_key)
  WHERE index_key IS NOT NULL AND status IN ('pending', 'running');

-- List filters, newest first.
CREATE INDEX tasks_tenant_id ON tasks (tenant, id);
CREATE INDEX tasks_status_id ON tasks (status, id);
CREATE INDEX tasks_type_id ON tasks (type, id);
CREATE INDEX tasks_index_key ON tasks (index_key) WHERE index_key IS NOT NULL;
CREATE INDEX tasks_definition_id ON tasks (definition_id, id) WHERE definition_id IS NOT NULL;

-- Sweeps: expired leases, due callbacks and expired callback leases, overdue pending tasks.
CREATE INDEX tasks_lease_until ON tasks (lease_until) WHERE status = 'running';
CREATE INDEX tasks_callback_due ON tasks (callback_run_at) WHERE callback_status = 'pending';
CREATE INDEX tasks_callback_lease ON tasks (callback_lease_until) WHERE callback_status = 'running';
CREATE INDEX tasks_deadline ON tasks (deadline_at) WHERE status = 'pending' AND deadline_at IS NOT NULL;
CREATE INDEX tasks_start_deadline ON tasks (created_at + start_timeout_ms)
  WHERE status = 'pending' AND started_at IS NULL AND start_timeout_ms IS NOT NULL;

CREATE TABLE steps (
  task_id          TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  idx              INTEGER NOT NULL,
  name             TEXT NOT NULL,
  alias            TEXT,
  executor         TEXT NOT NULL,
  params           TEXT NOT NULL DEFAULT '{}',
  payload          TEXT NOT NULL DEFAULT 'null',
  queue            TEXT,
  status           TEXT NOT NULL
                   CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'timeout', 'cancelled', 'skipped')),
  message          TEXT,
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_tries        INTEGER NOT NULL,
  backoff_kind     TEXT NOT NULL,
  backoff_delay_ms INTEGER NOT NULL,
  backoff_max_ms   INTEGER NOT NULL,
  backoff_jitter   REAL NOT NULL DEFAULT 0,
  timeout_ms       INTEGER,
  skip_on_failed   INTEGER NOT NULL DEFAULT 0,
  started_at       INTEGER,
  ended_at         INTEGER,
  execution_ms     INTEGER,
  output           TEXT,
  PRIMARY KEY (task_id, idx)
) WITHOUT ROWID;

CREATE TABLE task_logs (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id    TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  tenant     TEXT NOT NULL,
  step_index INTEGER,
  attempt    INTEGER,
  at         INTEGER NOT NULL,
  level      TEXT NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
  message    TEXT NOT NULL,
  fields     TEXT
);

CREATE INDEX task_logs_task_id ON task_logs (task_id, id);
