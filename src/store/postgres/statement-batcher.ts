// Group commit for the hot single-item calls (createTask, completeStep): items that arrive while
// earlier ones are being written go out together as one statement (one round trip, one commit).
import { StoreUnavailableError } from "../../core/errors.js";
import { isConnectionError } from "./postgres-connection.js";

/** The outcome of one item of a batch: its value, or the error only that item failed with. */
export type ItemOutcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

/** How a StatementBatcher writes. */
export interface StatementBatcherOptions<I, O> {
  /** Statements in flight at once; further items wait and leave together with the next one. */
  maxInFlight: number;
  /** Items per statement at most. */
  maxBatch: number;
  /** Items with the same key never share a batch (the later one waits for the next). */
  keyOf(item: I): string;
  /**
   * Writes `items` as one statement; one outcome per item, in order. `alone` is true when no
   * other statement of this batcher is in flight: work that would make concurrent statements
   * wait for each other (a NOTIFY in the transaction) costs nothing then.
   */
  write(items: I[], alone: boolean): Promise<ItemOutcome<O>[]>;
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(err: unknown): void;
}

/**
 * Batches calls whose writes can share one statement while each keeps its own guard and
 * outcome. Under light load an item goes out alone on the next turn of the event loop; under
 * load batches grow by themselves, so the per-statement cost (round trip, planning, commit and
 * its WAL flush: the limit on a small server) is shared. Measured on the 2-core machine of
 * docs/decisions/0002: ~3,700 single-row completes/s against ~10,000+ batched. If a batch
 * fails for a reason other than the connection, its items are written one by one so that only
 * the bad one fails.
 */
export class StatementBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly options: StatementBatcherOptions<I, O>) {}

  /** Queues one item; settles with its own outcome once its batch is written. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    // setImmediate, not a microtask: calls made by callbacks of the same socket read (a claim
    // batch of no-op steps finishing together) are all queued before the flush.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      const alone = this.inFlight === 0;
      this.inFlight++;
      void this.send(batch, alone).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  /** Up to maxBatch queued items, at most one per key, in arrival order. */
  private take(): Pending<I, O>[] {
    const batch: Pending<I, O>[] = [];
    const rest: Pending<I, O>[] = [];
    const keys = new Set<string>();
    for (const p of this.queue) {
      const key = this.options.keyOf(p.item);
      if (batch.length < this.options.maxBatch && !keys.has(key)) {
        keys.add(key);
        batch.push(p);
      } else rest.push(p);
    }
    this.queue = rest;
    return batch;
  }

  private async send(batch: Pending<I, O>[], alone: boolean): Promise<void> {
    let outcomes: ItemOutcome<O>[];
    try {
      outcomes = await this.options.write(batch.map((p) => p.item), alone);
    } catch (err) {
      if (batch.length === 1 || err instanceof StoreUnavailableError || isConnectionError(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      await Promise.all(batch.map((p) => this.send([p], false)));
      return;
    }
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) p.resolve(outcome.value);
      else p.reject(outcome.error);
    });
  }
}
