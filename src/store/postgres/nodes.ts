// Node registry on PostgreSQL: register, heartbeat, stop, list, and marking silent nodes dead.
import type { NodeRecord, NodeRegistration, NodeState } from "../../core/node.js";
import type { PostgresConnection } from "./postgres-connection.js";

/** Stopped or dead nodes are forgotten after this long. */
const FORGET_AFTER_MS = 86_400_000;

interface NodeRow {
  id: string;
  name: string;
  host: string;
  pid: number;
  version: string;
  labels: Record<string, string>;
  queues: string[];
  executors: string[];
  capacity: number;
  in_flight: number;
  state: NodeState;
  started_at: Date;
  last_heartbeat_at: Date;
}

// $1 id, $2 name, $3 host, $4 pid, $5 version, $6 labels, $7 queues, $8 executors, $9 capacity, $10 started at, $11 now
const UPSERT_NODE = `
  INSERT INTO nodes (id, name, host, pid, version, labels, queues, executors, capacity, in_flight, state, started_at, last_heartbeat_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 'alive', $10, $11)
  ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, host = excluded.host, pid = excluded.pid, version = excluded.version,
    labels = excluded.labels, queues = excluded.queues, executors = excluded.executors,
    capacity = excluded.capacity, state = 'alive', last_heartbeat_at = excluded.last_heartbeat_at`;

/** Records a starting node. */
export async function registerNode(conn: PostgresConnection, node: NodeRegistration, now: Date): Promise<void> {
  await conn.prepared(UPSERT_NODE, [
    node.id, node.name, node.host, node.pid, node.version, JSON.stringify(node.labels),
    node.queues, node.executors, node.capacity, node.startedAt, now,
  ]);
}

// $1 id, $2 in-flight steps, $3 now
const HEARTBEAT = `UPDATE nodes SET in_flight = $2, last_heartbeat_at = $3 WHERE id = $1 AND state = 'alive'`;

/** A heartbeat; false when the node is no longer alive. */
export async function heartbeatNode(conn: PostgresConnection, id: string, inFlight: number, now: Date): Promise<boolean> {
  return ((await conn.prepared(HEARTBEAT, [id, inFlight, now])).rowCount ?? 0) === 1;
}

// $1 id, $2 now
const STOP = `UPDATE nodes SET state = 'stopped', in_flight = 0, last_heartbeat_at = $2 WHERE id = $1`;

/** A clean shutdown. */
export async function stopNode(conn: PostgresConnection, id: string, now: Date): Promise<void> {
  await conn.prepared(STOP, [id, now]);
}

const LIST = `SELECT * FROM nodes ORDER BY state = 'alive' DESC, name, started_at DESC`;

/** Every known node. */
export async function listNodes(conn: PostgresConnection): Promise<NodeRecord[]> {
  return (await conn.query<NodeRow>(LIST)).rows.map((r) => ({
    id: r.id,
    name: r.name,
    host: r.host,
    pid: r.pid,
    version: r.version,
    labels: r.labels,
    queues: r.queues,
    executors: r.executors,
    capacity: r.capacity,
    inFlight: r.in_flight,
    state: r.state,
    startedAt: r.started_at,
    lastHeartbeatAt: r.last_heartbeat_at,
  }));
}

// $1 cutoff: alive nodes silent since before it are dead; $2 a lease end already past; $3 forget-before
const MARK_DEAD = `
  WITH dead AS (
    UPDATE nodes SET state = 'dead', in_flight = 0
    WHERE state = 'alive' AND last_heartbeat_at < $1
    RETURNING id
  ), ended AS (
    UPDATE tasks SET lease_until = $2
    WHERE status = 'running' AND locked_by IN (SELECT id FROM dead) AND lease_until >= $2
  ), forgotten AS (
    DELETE FROM nodes WHERE state <> 'alive' AND last_heartbeat_at < $3
  )
  SELECT id FROM dead`;

/** Marks silent nodes dead and ends their leases; forgets long-gone nodes. */
export async function markDeadNodes(conn: PostgresConnection, now: Date, deadAfterMs: number): Promise<string[]> {
  const cutoff = new Date(now.getTime() - deadAfterMs);
  const ended = new Date(now.getTime() - 1);
  const forget = new Date(now.getTime() - FORGET_AFTER_MS);
  return (await conn.prepared<{ id: string }>(MARK_DEAD, [cutoff, ended, forget])).rows.map((r) => r.id);
}
