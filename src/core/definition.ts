// Domain types of definitions (stored task templates with an optional schedule), DESIGN.md §1/§4.
import type { JsonObject } from "./json.js";
import type { TaskStatus } from "./status.js";

/** The four schedule kinds of a definition. */
export const SCHEDULE_KINDS = ["cron", "fixedRate", "fixedDelay", "once"] as const;
/** A schedule kind. */
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/** What to do with fire times missed while no scheduler ran (or the definition was disabled). */
export const MISFIRE_POLICIES = ["fireOnce", "skip", "fireAll"] as const;
/** A misfire policy. */
export type MisfirePolicyName = (typeof MISFIRE_POLICIES)[number];

/** What to do when a fire comes while the definition's previous task is still active. */
export const OVERLAP_POLICIES = ["allow", "forbid", "replace"] as const;
/** An overlap policy. */
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/**
 * The message of a task fired ahead of its time (the scheduler's fire-ahead window) and then
 * withdrawn, cancelled before that time came, because its definition was disabled, deleted or
 * given another schedule.
 */
export const EARLY_FIRE_WITHDRAWN_MESSAGE = "withdrawn before its fire time: the definition was disabled, deleted or rescheduled";

/** `fireAll` makes at most this many tasks for one catch-up unless the definition says otherwise. */
export const DEFAULT_FIRE_ALL_MAX = 100;

/** A misfire policy with its cap (`max` is used by `fireAll` only). */
export interface MisfirePolicy {
  policy: MisfirePolicyName;
  max: number;
}

/** Fields every schedule kind shares. */
interface ScheduleCommon {
  misfire: MisfirePolicy;
  overlap: OverlapPolicy;
}

/** A resolved schedule: units in ms, instants as Dates. */
export type Schedule =
  | (ScheduleCommon & { kind: "cron"; cron: string; timezone: string | null; startAt: Date | null })
  | (ScheduleCommon & { kind: "fixedRate"; everyMs: number; startAt: Date | null })
  | (ScheduleCommon & { kind: "fixedDelay"; delayMs: number; startAt: Date | null })
  | (ScheduleCommon & { kind: "once"; at: Date });

/** A definition as stored. `spec` is the definition file as the user gave it (validated). */
export interface Definition {
  id: string;
  tenant: string;
  name: string;
  description: string | null;
  enabled: boolean;
  /** The validated definition file (JSON), schedule and task included. */
  spec: JsonObject;
  /** Null when the definition has no schedule (trigger only). */
  scheduleKind: ScheduleKind | null;
  /** When the scheduler fires it next; null = nothing planned (no schedule, `once` done, `fixedDelay` waiting for its task). */
  nextFireAt: Date | null;
  lastFireAt: Date | null;
  /** The latest task a scheduled fire created. */
  lastTaskId: string | null;
  /** Bumped by every change and fire: fires are guarded by it with `nextFireAt`. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A definition due to fire, with the state of its latest task (for the overlap policy). */
export interface DueDefinition {
  definition: Definition;
  /** Status of `lastTaskId`, or null when there is none (or it was deleted). */
  lastTaskStatus: TaskStatus | null;
}

/** Why a fire time made no task. */
export const SKIP_REASONS = ["overlap", "misfire", "duplicate"] as const;
/** A skip reason. */
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Fire times that made no task, recorded on the definition (one record may stand for many). */
export interface SkippedFire {
  id: number;
  definitionId: string;
  /** The (first) skipped fire time. */
  scheduledAt: Date;
  /** How many fire times this record stands for (misfires are summed up). */
  count: number;
  reason: SkipReason;
  /** The task that was still active (overlap). */
  blockingTaskId: string | null;
  recordedAt: Date;
}
