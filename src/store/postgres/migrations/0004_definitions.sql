-- Why: the scheduler (issue 4). Definitions are stored task templates with a schedule; the
-- firing loop reads the due ones through a partial index on next_fire_at and moves
-- next_fire_at in the same transaction that creates the task, guarded by its old value and
-- the row version, so no fire time is ever created twice whoever fires it. The scheduler
-- leader holds a renewed lease row; skipped fires (overlap, misfire, duplicate) are recorded.

CREATE TABLE definitions (
  id             text PRIMARY KEY,
  tenant         text NOT NULL,
  name           text NOT NULL,
  description    text,
  enabled        boolean NOT NULL DEFAULT true,
  spec           jsonb NOT NULL,
  schedule_kind  text CHECK (schedule_kind IN ('cron', 'fixedRate', 'fixedDelay', 'once')),
  -- fixedDelay only: the store arms the next fire when the latest task ends
  fixed_delay_ms bigint,
  next_fire_at   timestamptz,
  last_fire_at   timestamptz,
  last_task_id   text,
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);

CREATE UNIQUE INDEX definitions_tenant_name ON definitions (tenant, name);
-- The firing loop's read: due, enabled definitions in fire order.
CREATE INDEX definitions_due ON definitions (next_fire_at, id) WHERE enabled AND next_fire_at IS NOT NULL;
-- fixedDelay definitions waiting for their task to end.
CREATE INDEX definitions_delay_waiting ON definitions (id) WHERE schedule_kind = 'fixedDelay' AND next_fire_at IS NULL;

CREATE TABLE definition_skips (
  id               bigserial PRIMARY KEY,
  definition_id    text NOT NULL REFERENCES definitions (id) ON DELETE CASCADE,
  scheduled_at     timestamptz NOT NULL,
  count            integer NOT NULL CHECK (count >= 1),
  reason           text NOT NULL CHECK (reason IN ('overlap', 'misfire', 'duplicate')),
  blocking_task_id text,
  recorded_at      timestamptz NOT NULL
);

CREATE INDEX definition_skips_definition ON definition_skips (definition_id, id);

-- One row per lease name ('scheduler'): who leads, until when, and its latest tick.
CREATE TABLE scheduler_leases (
  name         text PRIMARY KEY,
  holder_id    text NOT NULL,
  holder_name  text NOT NULL,
  term         integer NOT NULL,
  acquired_at  timestamptz NOT NULL,
  lease_until  timestamptz NOT NULL,
  last_tick_at timestamptz,
  lag_ms       integer
);
