// Wake-ups for idle workers across processes, without a NOTIFY in every enqueue transaction:
// PostgreSQL serialises the commits of transactions that NOTIFY, which caps enqueue rates
// (measured: ~750/s for a peer that notifies per job, vs ~3,600/s for plain inserts here).
// Instead, after work becomes ready this process sends ONE `pg_notify` outside the write
// transaction, and coalesces: while one is in flight, further pokes fold into a single
// follow-up. An idle system wakes within a round trip; a busy one pays one notify per round
// trip per process, not one per task. Polling remains the fallback for lost notifications.
// The exception: a createTask insert with no other insert of this process in flight sends the
// NOTIFY itself (dispatch.ts, INSERT_TASKS_NOTIFY), on `channel`: alone, it serialises with
// nothing, and listeners wake at its commit instead of one round trip later.
import pg from "pg";
import type { PostgresConnection } from "./postgres-connection.js";

const RECONNECT_DELAY_MS = 1000;

/** Sends and receives "work is ready" notifications on one channel per schema. */
export class ReadyNotifier {
  private inFlight = false;
  private again = false;
  private closed = false;
  readonly channel: string;

  constructor(private readonly connection: PostgresConnection) {
    // Schema names are validated identifiers, so the channel is one too.
    this.channel = `taskrail_ready_${connection.schema}`.slice(0, 63);
  }

  /** Work became ready: notify listeners soon (coalesced; never throws). */
  poke(): void {
    if (this.closed) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    this.again = false;
    this.connection.pool
      .query("SELECT pg_notify($1, '')", [this.channel])
      .catch(() => {
        // A lost notification only delays a worker until its next poll.
      })
      .finally(() => {
        this.inFlight = false;
        if (this.again) this.poke();
      });
  }

  /**
   * Calls `listener` on every notification, on a dedicated connection that reconnects after
   * errors (the first connection too: until it succeeds, polling covers). Returns the stop
   * function.
   */
  async listen(listener: () => void): Promise<() => Promise<void>> {
    let client: pg.Client | null = null;
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    const scheduleConnect = (): void => {
      if (stopped) return;
      retry = setTimeout(() => void connect().catch(scheduleConnect), RECONNECT_DELAY_MS);
      retry.unref();
    };
    const connect = async (): Promise<void> => {
      const c = new pg.Client({ connectionString: this.connection.url, keepAlive: true });
      c.on("notification", (msg) => {
        if (msg.channel === this.channel) listener();
      });
      const lost = (): void => {
        if (client !== c) return;
        client = null;
        c.end().catch(() => {});
        scheduleConnect();
      };
      c.on("error", lost);
      c.on("end", lost);
      try {
        await c.connect();
        await c.query(`LISTEN "${this.channel}"`);
      } catch (err) {
        c.end().catch(() => {});
        throw err;
      }
      if (stopped) {
        await c.end().catch(() => {});
        return;
      }
      client = c;
      // Work may have become ready while nobody listened.
      listener();
    };
    await connect().catch(scheduleConnect);
    return async () => {
      stopped = true;
      clearTimeout(retry);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    };
  }

  /** Stops sending. */
  close(): void {
    this.closed = true;
  }
}
