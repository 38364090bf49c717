-- Why: the first schema of the distributed store, the same tables and columns as SQLite's
-- 0001 so both adapters read alike. Tasks carry their current step's executor and effective
-- queue (denormalized, kept in sync on every advance) so a claim reads one partial index of
-- ready work, whose cost stays flat however many finished rows pile up. Times are timestamptz
-- (JS Dates carry ms, timestamptz keeps µs: exact both ways); JSON values are jsonb.
-- Tables are created unqualified: the runner sets search_path to the store's schema.

CREATE TABLE tasks (
  id                   text COLLATE "C" PRIMARY KEY,  -- "C": byte order, as UUIDv7 ids sort by time
  tenant               text NOT NULL,
  type                 text NOT NULL,
  name                 text,
  index_key            text,
  index_type           text,
  queue                text NOT NULL,
  priority             integer NOT NULL DEFAULT 0,
  creator              text,
  params               jsonb NOT NULL DEFAULT '{}',
  payload              jsonb NOT NULL DEFAULT 'null',
  step_count           integer NOT NULL CHECK (step_count >= 1),
  current_step         integer NOT NULL DEFAULT 0,
  -- the current step's executor and `step.queue ?? task.queue`; what a claim filters on
  current_executor     text,
  current_queue        text,
  status               text NOT NULL
                       CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'timeout', 'cancelled')),
  message              text,
  progress             integer NOT NULL DEFAULT 0,
  progress_message     text,
  result               jsonb,
  run_at               timestamptz NOT NULL,
  timeout_ms           bigint,
  start_timeout_ms     bigint,
  deadline_at          timestamptz,
  -- created_at + start_timeout_ms, stored because timestamptz + interval is not immutable
  -- and so cannot be indexed as an expression
  start_deadline_at    timestamptz,
  retry_count          integer NOT NULL DEFAULT 0,
  callbacks            text[] NOT NULL DEFAULT '{}',
  callback_status      text CHECK (callback_status IN ('pending', 'running', 'succeeded', 'failed')),
  callback_message     text,
  callback_attempts    integer NOT NULL DEFAULT 0,
  callback_run_at      timestamptz,
  callback_lease_until timestamptz,
  callback_token       integer NOT NULL DEFAULT 0,
  definition_id        text,
  scheduled_at         timestamptz,
  cancel_requested     boolean NOT NULL DEFAULT false,
  locked_by            text,
  lease_until          timestamptz,
  lease_token          integer NOT NULL DEFAULT 0,
  created_at           timestamptz NOT NULL,
  started_at           timestamptz,
  ended_at             timestamptz,
  updated_at           timestamptz NOT NULL,
  execution_ms         bigint
);

-- Ready work only: a claim walks this in claim order and stops after LIMIT rows it can lock.
CREATE INDEX tasks_ready ON tasks (priority DESC, run_at, id) WHERE status = 'pending';

-- De-duplication by business key among active tasks; an absent index type counts as ''.
-- A clash raises unique_violation on this name, which the adapter turns into DuplicateTaskError.
CREATE UNIQUE INDEX tasks_active_index ON tasks (tenant, type, (COALESCE(index_type, '')), index_key)
  WHERE index_key IS NOT NULL AND status IN ('pending', 'running');

-- List filters, newest first. Every index here is written on each transition (status is in the
-- partial predicates, so no update is HOT): keep the list short.
CREATE INDEX tasks_tenant_id ON tasks (tenant, id);
CREATE INDEX tasks_status_id ON tasks (status, id);
CREATE INDEX tasks_index_key ON tasks (index_key) WHERE index_key IS NOT NULL;
CREATE INDEX tasks_definition_id ON tasks (definition_id, id) WHERE definition_id IS NOT NULL;

-- Sweeps: expired leases, due callbacks and expired callback leases, overdue pending tasks.
CREATE INDEX tasks_lease_until ON tasks (lease_until) WHERE status = 'running';
CREATE INDEX tasks_callback_due ON tasks (callback_run_at) WHERE callback_status = 'pending';
CREATE INDEX tasks_callback_lease ON tasks (callback_lease_until) WHERE callback_status = 'running';
CREATE INDEX tasks_deadline ON tasks (deadline_at) WHERE status = 'pending' AND deadline_at IS NOT NULL;
CREATE INDEX tasks_start_deadline ON tasks (start_deadline_at)
  WHERE status = 'pending' AND started_at IS NULL AND start_deadline_at IS NOT NULL;

-- fillfactor 80: a step row is updated two or three times in its life and only its primary
-- key is indexed, so the free space lets those updates stay HOT (no index write).
CREATE TABLE steps (
  task_id          text COLLATE "C" NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  idx              integer NOT NULL,
  name             text NOT NULL,
  alias            text,
  executor         text NOT NULL,
  params           jsonb NOT NULL DEFAULT '{}',
  payload          jsonb NOT NULL DEFAULT 'null',
  queue            text,
  status           text NOT NULL
                   CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'timeout', 'cancelled', 'skipped')),
  message          text,
  attempts         integer NOT NULL DEFAULT 0,
  max_tries        integer NOT NULL,
  backoff_kind     text NOT NULL,
  backoff_delay_ms bigint NOT NULL,
  backoff_max_ms   bigint NOT NULL,
  backoff_jitter   double precision NOT NULL DEFAULT 0,
  timeout_ms       bigint,
  skip_on_failed   boolean NOT NULL DEFAULT false,
  started_at       timestamptz,
  ended_at         timestamptz,
  execution_ms     bigint,
  output           jsonb,
  PRIMARY KEY (task_id, idx)
) WITH (fillfactor = 80);

CREATE TABLE task_logs (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id    text COLLATE "C" NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  tenant     text NOT NULL,
  step_index integer,
  attempt    integer,
  at         timestamptz NOT NULL,
  level      text NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
  message    text NOT NULL,
  fields     jsonb
);

CREATE INDEX task_logs_task_id ON task_logs (task_id, id);
