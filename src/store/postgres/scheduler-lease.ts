// The scheduler leader lease on PostgreSQL: one row, taken when free or expired, renewed by
// its holder, released on a clean stop. Each statement is atomic on its own.
import type { AcquireSchedulerLeaseRequest, RenewSchedulerLeaseRequest, SchedulerLease } from "../store.js";
import type { SqlRunner } from "./postgres-connection.js";

const LEASE_NAME = "scheduler";

// $1 name, $2 holder id, $3 holder name, $4 now, $5 lease until
// Free (no row), expired, or already ours: take it. The term goes up only when the holder changes.
const ACQUIRE = `
INSERT INTO scheduler_leases AS l (name, holder_id, holder_name, term, acquired_at, lease_until)
VALUES ($1, $2, $3, 1, $4, $5)
ON CONFLICT (name) DO UPDATE SET
  term = CASE WHEN l.holder_id = excluded.holder_id THEN l.term ELSE l.term + 1 END,
  acquired_at = CASE WHEN l.holder_id = excluded.holder_id THEN l.acquired_at ELSE excluded.acquired_at END,
  holder_id = excluded.holder_id, holder_name = excluded.holder_name, lease_until = excluded.lease_until
WHERE l.holder_id = excluded.holder_id OR l.lease_until < excluded.acquired_at
RETURNING l.*`;
// $1 name, $2 holder id, $3 term, $4 lease until, $5 last tick, $6 lag ms
const RENEW = `
UPDATE scheduler_leases SET lease_until = $4, last_tick_at = coalesce($5, last_tick_at), lag_ms = coalesce($6, lag_ms)
WHERE name = $1 AND holder_id = $2 AND term = $3`;
// $1 name, $2 holder id, $3 now
const RELEASE = `UPDATE scheduler_leases SET lease_until = $3 WHERE name = $1 AND holder_id = $2 AND lease_until > $3`;
// $1 name
const SELECT = `SELECT * FROM scheduler_leases WHERE name = $1`;

interface LeaseRow {
  holder_id: string;
  holder_name: string;
  term: number;
  acquired_at: Date;
  lease_until: Date;
  last_tick_at: Date | null;
  lag_ms: number | null;
}

function mapRow(r: LeaseRow): SchedulerLease {
  return {
    holderId: r.holder_id,
    holderName: r.holder_name,
    term: r.term,
    acquiredAt: r.acquired_at,
    leaseUntil: r.lease_until,
    lastTickAt: r.last_tick_at,
    lagMs: r.lag_ms,
  };
}

/** `Store.getSchedulerLease`. */
export async function getSchedulerLease(db: SqlRunner): Promise<SchedulerLease | null> {
  const row = (await db.query<LeaseRow>(SELECT, [LEASE_NAME])).rows[0];
  return row ? mapRow(row) : null;
}

/** `Store.acquireSchedulerLease`. */
export async function acquireSchedulerLease(db: SqlRunner, req: AcquireSchedulerLeaseRequest): Promise<SchedulerLease | null> {
  const row = (await db.query<LeaseRow>(ACQUIRE, [LEASE_NAME, req.holderId, req.holderName, req.now, new Date(req.now.getTime() + req.leaseMs)])).rows[0];
  return row ? mapRow(row) : null;
}

/** `Store.renewSchedulerLease`. */
export async function renewSchedulerLease(db: SqlRunner, req: RenewSchedulerLeaseRequest): Promise<boolean> {
  const res = await db.query(RENEW, [
    LEASE_NAME,
    req.holderId,
    req.term,
    new Date(req.now.getTime() + req.leaseMs),
    req.lastTickAt,
    req.lagMs === null ? null : Math.round(req.lagMs),
  ]);
  return res.rowCount === 1;
}

/** `Store.releaseSchedulerLease`. */
export async function releaseSchedulerLease(db: SqlRunner, holderId: string, now: Date): Promise<void> {
  await db.query(RELEASE, [LEASE_NAME, holderId, now]);
}
