// Node registry on SQLite: register, heartbeat, stop, list, and marking silent nodes dead.
import type { NodeRecord, NodeRegistration, NodeState } from "../../core/node.js";
import type { SqliteConnection } from "./sqlite-connection.js";

/** Stopped or dead nodes are forgotten after this long. */
const FORGET_AFTER_MS = 86_400_000;

interface NodeRow {
  id: string;
  name: string;
  host: string;
  pid: number;
  version: string;
  labels: string;
  queues: string;
  executors: string;
  capacity: number;
  in_flight: number;
  state: NodeState;
  started_at: number;
  last_heartbeat_at: number;
}

// @id … @now: the registration's fields and the current time
const UPSERT_NODE = `
  INSERT INTO nodes (id, name, host, pid, version, labels, queues, executors, capacity, in_flight, state, started_at, last_heartbeat_at)
  VALUES (@id, @name, @host, @pid, @version, @labels, @queues, @executors, @capacity, 0, 'alive', @startedAt, @now)
  ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, host = excluded.host, pid = excluded.pid, version = excluded.version,
    labels = excluded.labels, queues = excluded.queues, executors = excluded.executors,
    capacity = excluded.capacity, state = 'alive', last_heartbeat_at = excluded.last_heartbeat_at`;

/** Records a starting node. */
export function registerNode(conn: SqliteConnection, node: NodeRegistration, now: Date): void {
  conn.stmt(UPSERT_NODE).run({
    id: node.id,
    name: node.name,
    host: node.host,
    pid: node.pid,
    version: node.version,
    labels: JSON.stringify(node.labels),
    queues: JSON.stringify(node.queues),
    executors: JSON.stringify(node.executors),
    capacity: node.capacity,
    startedAt: node.startedAt.getTime(),
    now: now.getTime(),
  });
}

// @id node, @inFlight steps running, @now
const HEARTBEAT = `UPDATE nodes SET in_flight = @inFlight, last_heartbeat_at = @now WHERE id = @id AND state = 'alive'`;

/** A heartbeat; false when the node is no longer alive. */
export function heartbeatNode(conn: SqliteConnection, id: string, inFlight: number, now: Date): boolean {
  return conn.stmt(HEARTBEAT).run({ id, inFlight, now: now.getTime() }).changes === 1;
}

// @id node, @now
const STOP = `UPDATE nodes SET state = 'stopped', in_flight = 0, last_heartbeat_at = @now WHERE id = @id`;

/** A clean shutdown. */
export function stopNode(conn: SqliteConnection, id: string, now: Date): void {
  conn.stmt(STOP).run({ id, now: now.getTime() });
}

const LIST = `SELECT * FROM nodes ORDER BY state = 'alive' DESC, name, started_at DESC`;

/** Every known node. */
export function listNodes(conn: SqliteConnection): NodeRecord[] {
  return (conn.stmt(LIST).all() as NodeRow[]).map((r) => ({
    id: r.id,
    name: r.name,
    host: r.host,
    pid: r.pid,
    version: r.version,
    labels: JSON.parse(r.labels) as Record<string, string>,
    queues: JSON.parse(r.queues) as string[],
    executors: JSON.parse(r.executors) as string[],
    capacity: r.capacity,
    inFlight: r.in_flight,
    state: r.state,
    startedAt: new Date(r.started_at),
    lastHeartbeatAt: new Date(r.last_heartbeat_at),
  }));
}

// @cutoff last heartbeat before which an alive node is dead
const SELECT_SILENT = `SELECT id FROM nodes WHERE state = 'alive' AND last_heartbeat_at < @cutoff`;
// @id dead node
const MARK_DEAD = `UPDATE nodes SET state = 'dead', in_flight = 0 WHERE id = @id AND state = 'alive'`;
// @id dead node, @ended a lease end already past: the next recovery sweep takes the task
const END_LEASES = `UPDATE tasks SET lease_until = @ended WHERE status = 'running' AND locked_by = @id AND lease_until >= @ended`;
// @forget time before which stopped/dead nodes are deleted
const FORGET = `DELETE FROM nodes WHERE state <> 'alive' AND last_heartbeat_at < @forget`;

/** Marks silent nodes dead and ends their leases; forgets long-gone nodes. */
export function markDeadNodes(conn: SqliteConnection, now: Date, deadAfterMs: number): string[] {
  const ids = (conn.stmt(SELECT_SILENT).all({ cutoff: now.getTime() - deadAfterMs }) as { id: string }[]).map((r) => r.id);
  for (const id of ids) {
    conn.stmt(MARK_DEAD).run({ id });
    conn.stmt(END_LEASES).run({ id, ended: now.getTime() - 1 });
  }
  conn.stmt(FORGET).run({ forget: now.getTime() - FORGET_AFTER_MS });
  return ids;
}
