// Writes audit entries without holding up responses: entries recorded while a write is in
// flight leave together as one multi-row insert, so the audit log keeps up with thousands of
// dispatches a second at the cost of one statement per batch.
import type { NewAuditEntry } from "../core/audit.js";
import { errorMessage } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Store } from "../store/store.js";

/** Largest batch of entries in one insert. */
const MAX_BATCH = 1000;

/**
 * Coalescing audit writer. `record` never throws or waits; `flush` resolves once every entry
 * recorded before it is written (the server calls it on close, so a clean shutdown loses
 * nothing). A failed write is logged with the number of entries lost.
 */
export class AuditWriter {
  private queue: NewAuditEntry[] = [];
  private writing: Promise<void> | null = null;

  constructor(private readonly store: Store, private readonly logger: Logger) {}

  /** Queues an entry; it is written with the next batch. */
  record(entry: NewAuditEntry): void {
    this.queue.push(entry);
    if (this.writing === null) this.writing = this.drain();
  }

  /** Resolves once every queued entry is written (or its write failed and was logged). */
  async flush(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  private async drain(): Promise<void> {
    // Let the other responses of this event-loop turn join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.store.appendAuditEntries(batch);
      } catch (err) {
        this.logger.error({ err: errorMessage(err), lost: batch.length }, "audit entries could not be written");
      }
    }
    this.writing = null;
  }
}
