// Buffers a step's ctx.log lines; they are written with the step's outcome or flushed by the
// heartbeat, always under the lease, so a stale worker's lines never land.
import type { Clock } from "../core/clock.js";
import type { JsonObject } from "../core/json.js";
import type { StepLog } from "../core/step-context.js";
import type { LogLevel, NewLogEntry } from "../core/task.js";

/** Longest message kept per line; longer ones are cut (a runaway print must not bloat the log). */
const MAX_MESSAGE_CHARS = 8_192;

/** Collects log lines of one try of one step. */
export class StepLogBuffer {
  private entries: NewLogEntry[] = [];

  constructor(
    private readonly taskId: string,
    private readonly stepIndex: number | null,
    private readonly attempt: number | null,
    private readonly clock: Clock,
  ) {}

  /** Adds a line. */
  add(level: LogLevel, message: string, fields?: JsonObject | null): void {
    const text = String(message);
    this.entries.push({
      taskId: this.taskId,
      stepIndex: this.stepIndex,
      attempt: this.attempt,
      at: new Date(this.clock.now()),
      level,
      message: text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}… (cut)` : text,
      fields: fields ?? null,
    });
  }

  /** Lines waiting to be written. */
  get size(): number {
    return this.entries.length;
  }

  /** Takes every buffered line (the buffer is left empty). */
  drain(): NewLogEntry[] {
    const out = this.entries;
    this.entries = [];
    return out;
  }

  /** Puts lines back in front (a flush that failed for a transient reason). */
  restore(lines: NewLogEntry[]): void {
    this.entries = [...lines, ...this.entries];
  }

  /** The `ctx.log` an executor sees. */
  stepLog(): StepLog {
    return {
      debug: (m, f) => this.add("debug", m, f),
      info: (m, f) => this.add("info", m, f),
      warn: (m, f) => this.add("warn", m, f),
      error: (m, f) => this.add("error", m, f),
    };
  }
}
