-- Why: cluster-wide limits must hold across every node, so they live in the database: a claim
-- on a limited queue or type locks that limit's row, counts the running steps and spends the
-- current rate window in the same transaction as the claim itself.
CREATE TABLE task_limits (
  scope            text NOT NULL CHECK (scope IN ('queue', 'type')),
  name             text NOT NULL,
  max_running      integer CHECK (max_running >= 0),
  rate_count       integer CHECK (rate_count >= 1),
  rate_interval_ms bigint CHECK (rate_interval_ms >= 1),
  -- the current fixed rate window: when it began and how many claims it has had
  window_start     timestamptz,
  window_used      integer NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, name)
);
