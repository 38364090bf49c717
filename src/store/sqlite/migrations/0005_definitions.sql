-- Why: the scheduler (issue 4). Definitions are stored task templates with a schedule; the
-- firing loop reads the due ones through a partial index on next_fire_at and moves
-- next_fire_at in the same transaction that creates the task, guarded by its old value and
-- the row version, so no fire time is ever created twice whoever fires it. The scheduler
-- leader holds a renewed lease row; skipped fires (overlap, misfire, duplicate) are recorded.
-- Times are INTEGER ms since the epoch; the definition file is TEXT JSON.

CREATE TABLE definitions (
  id             TEXT PRIMARY KEY,
  tenant         TEXT NOT NULL,
  name           TEXT NOT NULL,
  description    TEXT,
  enabled        INTEGER NOT NULL DEFAULT 1,
  spec           TEXT NOT NULL,
  schedule_kind  TEXT CHECK (schedule_kind IN ('cron', 'fixedRate', 'fixedDelay', 'once')),
  -- fixedDelay only: the store arms the next fire when the latest task ends
  fixed_delay_ms INTEGER,
  next_fire_at   INTEGER,
  last_fire_at   INTEGER,
  last_task_id   TEXT,
  version        INTEGER NOT NULL DEFAULT 1,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);

CREATE UNIQUE INDEX definitions_tenant_name ON definitions (tenant, name);
-- The firing loop's read: due, enabled definitions in fire order.
CREATE INDEX definitions_due ON definitions (next_fire_at, id) WHERE enabled = 1 AND next_fire_at IS NOT NULL;
-- fixedDelay definitions waiting for their task to end.
CREATE INDEX definitions_delay_waiting ON definitions (id) WHERE schedule_kind = 'fixedDelay' AND next_fire_at IS NULL;

CREATE TABLE definition_skips (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  definition_id    TEXT NOT NULL REFERENCES definitions (id) ON DELETE CASCADE,
  scheduled_at     INTEGER NOT NULL,
  count            INTEGER NOT NULL CHECK (count >= 1),
  reason           TEXT NOT NULL CHECK (reason IN ('overlap', 'misfire', 'duplicate')),
  blocking_task_id TEXT,
  recorded_at      INTEGER NOT NULL
);

CREATE INDEX definition_skips_definition ON definition_skips (definition_id, id);

-- One row per lease name ('scheduler'): who leads, until when, and its latest tick.
CREATE TABLE scheduler_leases (
  name         TEXT PRIMARY KEY,
  holder_id    TEXT NOT NULL,
  holder_name  TEXT NOT NULL,
  term         INTEGER NOT NULL,
  acquired_at  INTEGER NOT NULL,
  lease_until  INTEGER NOT NULL,
  last_tick_at INTEGER,
  lag_ms       INTEGER
);
