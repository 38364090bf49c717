// The scheduler leader lease on SQLite: one row, taken when free or expired, renewed by its
// holder, released on a clean stop.
import type { AcquireSchedulerLeaseRequest, RenewSchedulerLeaseRequest, SchedulerLease } from "../store.js";
import { toDate, toMs } from "./row-mapping.js";
import type { SqliteConnection } from "./sqlite-connection.js";

const LEASE_NAME = "scheduler";

// -- @name, @holderId, @holderName, @now ms, @until ms
// Free (no row), expired, or already ours: take it. The term goes up only when the holder changes.
const ACQUIRE = `
INSERT INTO scheduler_leases (name, holder_id, holder_name, term, acquired_at, lease_until)
VALUES (@name, @holderId, @holderName, 1, @now, @until)
ON CONFLICT (name) DO UPDATE SET
  term = CASE WHEN scheduler_leases.holder_id = excluded.holder_id THEN scheduler_leases.term ELSE scheduler_leases.term + 1 END,
  acquired_at = CASE WHEN scheduler_leases.holder_id = excluded.holder_id THEN scheduler_leases.acquired_at ELSE excluded.acquired_at END,
  holder_id = excluded.holder_id, holder_name = excluded.holder_name, lease_until = excluded.lease_until
WHERE scheduler_leases.holder_id = excluded.holder_id OR scheduler_leases.lease_until < excluded.acquired_at`;
// -- @name, @holderId, @term, @until ms, @lastTick ms, @lag
const RENEW = `
UPDATE scheduler_leases SET lease_until = @until, last_tick_at = coalesce(@lastTick, last_tick_at), lag_ms = coalesce(@lag, lag_ms)
WHERE name = @name AND holder_id = @holderId AND term = @term`;
// -- @name, @holderId, @now ms
const RELEASE = `UPDATE scheduler_leases SET lease_until = @now WHERE name = @name AND holder_id = @holderId AND lease_until > @now`;
// -- @name
const SELECT = `SELECT * FROM scheduler_leases WHERE name = @name`;

interface LeaseRow {
  holder_id: string;
  holder_name: string;
  term: number;
  acquired_at: number;
  lease_until: number;
  last_tick_at: number | null;
  lag_ms: number | null;
}

function mapRow(r: LeaseRow): SchedulerLease {
  return {
    holderId: r.holder_id,
    holderName: r.holder_name,
    term: r.term,
    acquiredAt: new Date(r.acquired_at),
    leaseUntil: new Date(r.lease_until),
    lastTickAt: toDate(r.last_tick_at),
    lagMs: r.lag_ms,
  };
}

/** `Store.getSchedulerLease`. */
export function getSchedulerLease(conn: SqliteConnection): SchedulerLease | null {
  const row = conn.stmt(SELECT).get({ name: LEASE_NAME }) as LeaseRow | undefined;
  return row ? mapRow(row) : null;
}

/** `Store.acquireSchedulerLease`. */
export function acquireSchedulerLease(conn: SqliteConnection, req: AcquireSchedulerLeaseRequest): SchedulerLease | null {
  conn.stmt(ACQUIRE).run({
    name: LEASE_NAME,
    holderId: req.holderId,
    holderName: req.holderName,
    now: req.now.getTime(),
    until: req.now.getTime() + req.leaseMs,
  });
  const lease = getSchedulerLease(conn);
  return lease && lease.holderId === req.holderId ? lease : null;
}

/** `Store.renewSchedulerLease`. */
export function renewSchedulerLease(conn: SqliteConnection, req: RenewSchedulerLeaseRequest): boolean {
  return (
    conn.stmt(RENEW).run({
      name: LEASE_NAME,
      holderId: req.holderId,
      term: req.term,
      until: req.now.getTime() + req.leaseMs,
      lastTick: toMs(req.lastTickAt),
      lag: req.lagMs === null ? null : Math.round(req.lagMs),
    }).changes === 1
  );
}

/** `Store.releaseSchedulerLease`. */
export function releaseSchedulerLease(conn: SqliteConnection, holderId: string, now: Date): void {
  conn.stmt(RELEASE).run({ name: LEASE_NAME, holderId, now: now.getTime() });
}
