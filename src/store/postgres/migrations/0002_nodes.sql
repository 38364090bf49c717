-- Why: processes register themselves so operators see the cluster (`taskrail nodes`), a
-- pending task can say why it waits (no live node serves its queue or executor), and a node
-- whose heartbeat stops is marked dead and its leases ended at once instead of at expiry.
CREATE TABLE nodes (
  id                text PRIMARY KEY,
  name              text NOT NULL,
  host              text NOT NULL,
  pid               integer NOT NULL,
  version           text NOT NULL,
  labels            jsonb NOT NULL,
  queues            text[] NOT NULL,
  executors         text[] NOT NULL,
  capacity          integer NOT NULL,
  in_flight         integer NOT NULL DEFAULT 0,
  state             text NOT NULL CHECK (state IN ('alive', 'dead', 'stopped')),
  started_at        timestamptz NOT NULL,
  last_heartbeat_at timestamptz NOT NULL
);
CREATE INDEX nodes_alive_heartbeat ON nodes (last_heartbeat_at) WHERE state = 'alive';
