// The safe horizon of the PostgreSQL event log: the largest event id below which no event can
// still appear. Sequence ids are not commit-ordered, so a reader must not pass ids that an
// open transaction may yet commit.
import type { SqlRunner } from "./postgres-connection.js";

// -- no parameters. The largest id handed out so far (sequence reads are not transactional).
const SELECT_SEQUENCE = `SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS last_id FROM task_events_id_seq`;

// -- no parameters. Oldest transaction still running, and the first xid not yet assigned.
const SELECT_SNAPSHOT = `SELECT pg_snapshot_xmin(s)::text AS xmin, pg_snapshot_xmax(s)::text AS xmax FROM pg_current_snapshot() s`;

/** Unsettled probes kept at most (newer ones cover older ones, so the oldest are dropped). */
const MAX_PROBES = 64;

/** A sequence position and the first xid unassigned just after it was read. */
interface Probe {
  lastId: number;
  xmax: bigint;
}

/**
 * Why this works. An event gets its id from the sequence inside the trigger, after the row
 * change that fired it, so its transaction already had an xid. A probe reads the sequence's
 * last value L, then (in a later statement, hence a later snapshot) xmax: every transaction
 * holding an id <= L had an xid < xmax. Once the oldest running xid (xmin) is >= xmax, all of
 * them have committed or aborted, so ids <= L are final: delivering up to L can never be
 * followed by a smaller id committing. With no transaction writing, xmin = xmax and a probe
 * is final at once; under load the previous poll's probe usually is. Compared with storing
 * an xid per event (an extra column written on the hot path) or a settle delay (which a slow
 * transaction can outlast), this costs two tiny statements per read and nothing per write.
 * A transaction left open anywhere in the cluster holds the horizon (and so live events) back
 * until it ends; so does a prepared (two-phase) transaction.
 */
export class EventHorizon {
  private probes: Probe[] = [];
  private safeId = 0;

  /** Takes a new probe; returns the safe horizon and the largest id handed out. */
  async advance(runner: SqlRunner): Promise<{ horizon: number; latestId: number }> {
    const seq = await runner.query<{ last_id: number }>(SELECT_SEQUENCE);
    const lastId = Number(seq.rows[0].last_id);
    const snap = await runner.query<{ xmin: string; xmax: string }>(SELECT_SNAPSHOT);
    const xmin = BigInt(snap.rows[0].xmin);
    this.probes.push({ lastId, xmax: BigInt(snap.rows[0].xmax) });
    const unsettled: Probe[] = [];
    for (const probe of this.probes) {
      if (probe.xmax <= xmin) this.safeId = Math.max(this.safeId, probe.lastId);
      else unsettled.push(probe);
    }
    this.probes = unsettled.slice(-MAX_PROBES);
    return { horizon: this.safeId, latestId: Math.max(lastId, this.safeId) };
  }
}
