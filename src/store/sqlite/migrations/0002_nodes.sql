-- Why: processes register themselves so operators see the cluster (`taskrail nodes`), a
-- pending task can say why it waits (no live node serves its queue or executor), and a node
-- whose heartbeat stops is marked dead and its leases ended at once instead of at expiry.
CREATE TABLE nodes (
  id                TEXT PRIMARY KEY,
  name              TEXT NOT NULL,
  host              TEXT NOT NULL,
  pid               INTEGER NOT NULL,
  version           TEXT NOT NULL,
  labels            TEXT NOT NULL,   -- JSON object
  queues            TEXT NOT NULL,   -- JSON array
  executors         TEXT NOT NULL,   -- JSON array
  capacity          INTEGER NOT NULL,
  in_flight         INTEGER NOT NULL DEFAULT 0,
  state             TEXT NOT NULL CHECK (state IN ('alive', 'dead', 'stopped')),
  started_at        INTEGER NOT NULL,
  last_heartbeat_at INTEGER NOT NULL
);
CREATE INDEX nodes_alive_heartbeat ON nodes (last_heartbeat_at) WHERE state = 'alive';
