// Scheduler options as users give them → resolved, frozen options with units in ms.
import { hostname } from "node:os";
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { durationSchema } from "../core/validation/task-spec.js";
import { parseOrThrow } from "../core/validation/zod-errors.js";

/** Options of a scheduler. Durations accept ms numbers or strings like "5s". */
export interface SchedulerOptions {
  /** Name shown by `taskrail scheduler status`. @default `<hostname>-<pid>` */
  nodeName?: string;
  /** Leader lease length: when the leader stops renewing, another scheduler takes over after this. @default "5s" */
  lease?: number | string;
  /** How often the leader looks for due definitions. @default "200ms" */
  tickInterval?: number | string;
  /** A fire time older than this when it is fired counts as missed (its misfire policy applies). @default "60s" */
  misfireGrace?: number | string;
  /** Definitions fired per transaction. @default 500 */
  batchSize?: number;
  /** Fire transactions in flight at once (PostgreSQL spreads them over connections). @default 4 */
  parallelBatches?: number;
  /**
   * Fire-ahead window (Quartz's batchTriggerAcquisitionFireAheadTimeWindow): fire times up to
   * this far ahead are fired now, their tasks created with `runAt` = the fire time, so a burst
   * of thousands of definitions due at one instant is in the database before that instant.
   * Only definitions with the `allow` overlap policy (the default) fire ahead; a disable or a
   * delete withdraws (cancels) the tasks fired ahead whose time has not come. 0 turns it off.
   * @default "5s"
   */
  fireAhead?: number | string;
}

/** Scheduler options after defaults and unit conversion. */
export interface ResolvedSchedulerOptions {
  readonly nodeName: string;
  readonly leaseMs: number;
  /** How often a follower tries to take the lease and the leader renews it. */
  readonly renewMs: number;
  readonly tickMs: number;
  readonly misfireGraceMs: number;
  readonly batchSize: number;
  readonly parallelBatches: number;
  readonly fireAheadMs: number;
}

const DEFAULTS = { lease: 5_000, tickInterval: 200, misfireGrace: 60_000, batchSize: 500, parallelBatches: 4, fireAhead: 5_000 } as const;

const positiveDuration = durationSchema.refine((ms) => ms > 0, "must be > 0");

const schedulerOptionsSchema = z.strictObject({
  nodeName: z.string().regex(/^[A-Za-z0-9_.\-]{1,100}$/, "must be 1-100 letters, digits or _ . -").optional(),
  lease: durationSchema.refine((ms) => ms >= 1000, "must be at least 1s").optional(),
  tickInterval: positiveDuration.optional(),
  misfireGrace: durationSchema.optional(),
  batchSize: z.number().int("must be an integer").min(1, "must be an integer >= 1").max(5000, "must be at most 5000").optional(),
  parallelBatches: z.number().int("must be an integer").min(1, "must be an integer >= 1").max(16, "must be at most 16").optional(),
  fireAhead: durationSchema.refine((ms) => ms <= 60_000, "must be at most 60s").optional(),
});

/** Applies defaults; throws one ValidationError naming every bad field (`scheduler.lease: …`). */
export function resolveSchedulerOptions(options: SchedulerOptions = {}): ResolvedSchedulerOptions {
  const o = parseOrThrow(schedulerOptionsSchema, options, "invalid scheduler options", "scheduler");
  const leaseMs = o.lease ?? DEFAULTS.lease;
  const tickMs = o.tickInterval ?? DEFAULTS.tickInterval;
  if (tickMs * 2 > leaseMs) {
    // The leader renews between ticks: a tick longer than half the lease would let it lapse.
    throw new ValidationError([{ path: "scheduler.tickInterval", message: `must be at most half of scheduler.lease (${leaseMs}ms), got ${tickMs}ms` }], "invalid scheduler options");
  }
  return Object.freeze({
    nodeName: o.nodeName ?? `${hostname().replace(/[^A-Za-z0-9_.\-]/g, "-")}-${process.pid}`,
    leaseMs,
    // Five renewals per lease: a leader survives a few slow round trips; a follower notices
    // a dead leader within a fifth of a lease after it expired.
    renewMs: Math.max(tickMs, Math.floor(leaseMs / 5)),
    tickMs,
    misfireGraceMs: o.misfireGrace ?? DEFAULTS.misfireGrace,
    batchSize: o.batchSize ?? DEFAULTS.batchSize,
    parallelBatches: o.parallelBatches ?? DEFAULTS.parallelBatches,
    fireAheadMs: o.fireAhead ?? DEFAULTS.fireAhead,
  });
}
