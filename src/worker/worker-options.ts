// Worker options as users give them → resolved, frozen options with units in ms.
import { z } from "zod";
import { durationSchema } from "../core/validation/task-spec.js";
import { parseOrThrow } from "../core/validation/zod-errors.js";
import { ValidationError } from "../core/errors.js";
import { hostname } from "node:os";

/** Options of a worker. Durations accept ms numbers or strings like "30s". */
export interface WorkerOptions {
  /** Name shown in `nodes` and used for the `node:<name>` queue. @default `<hostname>-<pid>` */
  nodeName?: string;
  /** Steps run at once by this worker. @default 10 */
  concurrency?: number;
  /** Queues served (besides `node:<nodeName>`, always served). @default ["default"] */
  queues?: string[];
  /** Labels of this node; each `k: v` also serves queue `label:k=v`. @default {} */
  labels?: Record<string, string>;
  /** Most tasks claimed in one round trip. @default 32 */
  claimBatchSize?: number;
  /**
   * Tasks claimed ahead of free slots, so the next claim overlaps running work (throughput for
   * short steps). Buffered tasks hold leases; one not started within `prefetchTtl` is released
   * for other workers. @default 0
   */
  prefetch?: number;
  /** Longest a prefetched task waits in this worker before it is released. @default "2s" */
  prefetchTtl?: number | string;
  /** Lease length; a lease not renewed for this long is taken over. @default "30s" */
  lease?: number | string;
  /** Lease renewal and cancel-check period; must be well under `lease`. @default "5s" */
  heartbeat?: number | string;
  /** How often to look for ready work when no wake-up came. @default "500ms" */
  pollInterval?: number | string;
  /** How often expired leases and overdue tasks are swept. @default "1s" */
  sweepInterval?: number | string;
  /** After a cancel or timeout fires the signal, how long the executor gets before the outcome is recorded anyway. @default "5s" */
  abortGrace?: number | string;
  /** Least time between two progress writes of one task. @default "250ms" */
  progressInterval?: number | string;
  /** Callback try timeout. @default "30s" */
  callbackTimeout?: number | string;
  /** Tries per callback delivery. @default 3 */
  callbackTries?: number;
  /** Wait between callback tries. @default "1s" */
  callbackBackoff?: number | string;
}

/** Worker options after defaults and unit conversion. */
export interface ResolvedWorkerOptions {
  readonly nodeName: string;
  readonly concurrency: number;
  readonly queues: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly claimBatchSize: number;
  readonly prefetch: number;
  readonly prefetchTtlMs: number;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  readonly pollIntervalMs: number;
  readonly sweepIntervalMs: number;
  readonly abortGraceMs: number;
  readonly progressIntervalMs: number;
  readonly callbackTimeoutMs: number;
  readonly callbackTries: number;
  readonly callbackBackoffMs: number;
}

const DEFAULTS = {
  concurrency: 10,
  queues: ["default"],
  claimBatchSize: 32,
  prefetch: 0,
  prefetchTtl: 2_000,
  lease: 30_000,
  heartbeat: 5_000,
  pollInterval: 500,
  sweepInterval: 1_000,
  abortGrace: 5_000,
  progressInterval: 250,
  callbackTimeout: 30_000,
  callbackTries: 3,
  callbackBackoff: 1_000,
} as const;

const positiveDuration = durationSchema.refine((ms) => ms > 0, "must be > 0");

const workerOptionsSchema = z.strictObject({
  nodeName: z.string().regex(/^[A-Za-z0-9_.\-]{1,100}$/, "must be 1-100 letters, digits or _ . -").optional(),
  concurrency: z.number().int("must be an integer").min(1, "must be an integer >= 1").max(10_000).optional(),
  queues: z.array(z.string().min(1)).min(1, "must name at least one queue").optional(),
  labels: z
    .record(
      z.string().regex(/^[A-Za-z0-9_.\-]{1,100}$/, "label names are 1-100 letters, digits or _ . -"),
      z.string().regex(/^[A-Za-z0-9_.\-]{0,200}$/, "label values are letters, digits or _ . - (at most 200)"),
    )
    .optional(),
  claimBatchSize: z.number().int().min(1, "must be an integer >= 1").max(1000).optional(),
  prefetch: z.number().int().min(0, "must be an integer >= 0").max(10_000).optional(),
  prefetchTtl: positiveDuration.optional(),
  lease: positiveDuration.optional(),
  heartbeat: positiveDuration.optional(),
  pollInterval: positiveDuration.optional(),
  sweepInterval: positiveDuration.optional(),
  abortGrace: durationSchema.optional(),
  progressInterval: durationSchema.optional(),
  callbackTimeout: positiveDuration.optional(),
  callbackTries: z.number().int().min(1, "must be an integer >= 1").max(100).optional(),
  callbackBackoff: durationSchema.optional(),
});

/** Applies defaults; throws one ValidationError naming every bad field (`worker.concurrency: …`). */
export function resolveWorkerOptions(options: WorkerOptions = {}): ResolvedWorkerOptions {
  const o = parseOrThrow(workerOptionsSchema, options, "invalid worker options", "worker");
  const leaseMs = o.lease ?? DEFAULTS.lease;
  const heartbeatMs = o.heartbeat ?? Math.min(DEFAULTS.heartbeat, Math.floor(leaseMs / 3));
  if (heartbeatMs * 2 > leaseMs) {
    // A lease must survive one missed heartbeat, or a short pause hands the task to another node.
    throw new ValidationError(
      [{ path: "worker.heartbeat", message: `must be at most half of worker.lease (${leaseMs}ms), got ${heartbeatMs}ms` }],
      "invalid worker options",
    );
  }
  return Object.freeze({
    nodeName: o.nodeName ?? `${hostname().replace(/[^A-Za-z0-9_.\-]/g, "-")}-${process.pid}`,
    concurrency: o.concurrency ?? DEFAULTS.concurrency,
    queues: Object.freeze([...(o.queues ?? DEFAULTS.queues)]),
    labels: Object.freeze({ ...(o.labels ?? {}) }),
    claimBatchSize: o.claimBatchSize ?? DEFAULTS.claimBatchSize,
    prefetch: o.prefetch ?? DEFAULTS.prefetch,
    prefetchTtlMs: o.prefetchTtl ?? DEFAULTS.prefetchTtl,
    leaseMs,
    heartbeatMs,
    pollIntervalMs: o.pollInterval ?? DEFAULTS.pollInterval,
    sweepIntervalMs: o.sweepInterval ?? DEFAULTS.sweepInterval,
    abortGraceMs: o.abortGrace ?? DEFAULTS.abortGrace,
    progressIntervalMs: o.progressInterval ?? DEFAULTS.progressInterval,
    callbackTimeoutMs: o.callbackTimeout ?? DEFAULTS.callbackTimeout,
    callbackTries: o.callbackTries ?? DEFAULTS.callbackTries,
    callbackBackoffMs: o.callbackBackoff ?? DEFAULTS.callbackBackoff,
  });
}
