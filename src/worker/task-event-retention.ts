// Age-based retention of the task event log: deletes events older than `maxAge` every
// `interval`, in bounded batches. Any process may run it; two running at once just share work.
import { z } from "zod";
import { systemClock, type Clock } from "../core/clock.js";
import { errorMessage } from "../core/errors.js";
import { silentLogger, type Logger } from "../core/logger.js";
import { durationSchema } from "../core/validation/task-spec.js";
import { parseOrThrow } from "../core/validation/zod-errors.js";
import type { Store } from "../store/store.js";

/** Options of the event log retention. Durations accept ms numbers or strings like "24h". */
export interface TaskEventRetentionOptions {
  /** Events older than this are deleted. @default "24h" */
  maxAge?: number | string;
  /** How often to sweep. @default "1m" */
  interval?: number | string;
}

/** Retention options after defaults and unit conversion. */
export interface ResolvedTaskEventRetentionOptions {
  readonly maxAgeMs: number;
  readonly intervalMs: number;
}

const DEFAULTS = { maxAge: 86_400_000, interval: 60_000 } as const;

/** Rows per delete statement: bounds how long one statement holds the write lock. */
const DELETE_BATCH = 5_000;
/** Batches per sweep: a backlog (retention switched on late) drains over several sweeps. */
const MAX_BATCHES_PER_SWEEP = 20;

const positiveDuration = durationSchema.refine((ms) => ms > 0, "must be > 0");
const optionsSchema = z.strictObject({ maxAge: positiveDuration.optional(), interval: positiveDuration.optional() });

/** Applies defaults; throws one ValidationError naming every bad field (`eventRetention.maxAge: …`). */
export function resolveTaskEventRetentionOptions(options: TaskEventRetentionOptions = {}): ResolvedTaskEventRetentionOptions {
  const o = parseOrThrow(optionsSchema, options, "invalid event retention options", "eventRetention");
  return Object.freeze({ maxAgeMs: o.maxAge ?? DEFAULTS.maxAge, intervalMs: o.interval ?? DEFAULTS.interval });
}

/** The retention loop. */
export class TaskEventRetention {
  readonly options: ResolvedTaskEventRetentionOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | null = null;

  constructor(
    private readonly store: Store,
    options: TaskEventRetentionOptions = {},
    private readonly clock: Clock = systemClock,
    private readonly logger: Logger = silentLogger,
  ) {
    this.options = resolveTaskEventRetentionOptions(options);
  }

  /** `running` while sweeping periodically, else `stopped`. */
  get state(): "running" | "stopped" {
    return this.timer === undefined ? "stopped" : "running";
  }

  /** Sweeps now and then every `interval`. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.prune(), this.options.intervalMs);
    this.timer.unref();
    void this.prune();
  }

  /** Stops sweeping and waits for a sweep in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One sweep; resolves to the number of events deleted (0 when the store failed: logged). */
  prune(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<number> {
    const before = new Date(this.clock.now() - this.options.maxAgeMs);
    let deleted = 0;
    try {
      for (let batch = 0; batch < MAX_BATCHES_PER_SWEEP; batch++) {
        const n = await this.store.deleteTaskEventsBefore(before, DELETE_BATCH);
        deleted += n;
        if (n < DELETE_BATCH) break;
      }
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, "task event retention sweep failed; retrying next interval");
    }
    return deleted;
  }
}
