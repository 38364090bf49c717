-- Why: cluster-wide limits must hold for every worker sharing the file, so they live in the
-- database: a claim counts the running steps of limited queues and types and spends the
-- current rate window inside its own write transaction.
CREATE TABLE task_limits (
  scope            TEXT NOT NULL CHECK (scope IN ('queue', 'type')),
  name             TEXT NOT NULL,
  max_running      INTEGER CHECK (max_running >= 0),
  rate_count       INTEGER CHECK (rate_count >= 1),
  rate_interval_ms INTEGER CHECK (rate_interval_ms >= 1),
  -- the current fixed rate window: when it began (ms) and how many claims it has had
  window_start     INTEGER,
  window_used      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, name)
);
