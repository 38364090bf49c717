// Wire types of the taskrail HTTP API (/api/v1) as the dashboard reads them: times are ISO strings.

export type TaskStatus = "pending" | "running" | "succeeded" | "failed" | "timeout" | "cancelled";
export type StepStatus = TaskStatus | "skipped";
export type Role = "admin" | "operator" | "viewer";
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Every task status, in the order the dashboard lists them. */
export const TASK_STATUSES: readonly TaskStatus[] = ["pending", "running", "succeeded", "failed", "timeout", "cancelled"];
/** Statuses from which `retry` is allowed. */
export const RETRYABLE: readonly TaskStatus[] = ["failed", "timeout", "cancelled"];
/** Statuses nothing moves out of on its own. */
export const TERMINAL: readonly TaskStatus[] = ["succeeded", "failed", "timeout", "cancelled"];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `GET /whoami`. */
export interface WhoAmI {
  tokenId: string;
  /** The token's tenant, or null for an admin token (every tenant). */
  tenant: string | null;
  role: Role;
}

export interface Step {
  index: number;
  name: string;
  alias: string | null;
  executor: string;
  params: Record<string, Json>;
  payload: Json;
  queue: string | null;
  status: StepStatus;
  message: string | null;
  attempts: number;
  maxTries: number;
  timeoutMs: number | null;
  skipOnFailed: boolean;
  startedAt: string | null;
  endedAt: string | null;
  executionMs: number | null;
  output: Json;
  /** The setParam patch this step's success wrote; null when none or not succeeded. */
  paramsSet: Record<string, Json> | null;
  /** The task's params when the step started (initial params + earlier successes' patches). */
  paramsBefore: Record<string, Json>;
  /** paramsBefore with this step's patch; null while the step has not succeeded. */
  paramsAfter: Record<string, Json> | null;
}

export interface Task {
  id: string;
  tenant: string;
  type: string;
  name: string | null;
  index: string | null;
  indexType: string | null;
  queue: string;
  priority: number;
  creator: string | null;
  params: Record<string, Json>;
  /** The params the task was dispatched with (a retry keeps them). */
  initialParams: Record<string, Json>;
  payload: Json;
  steps: Step[];
  currentStep: number;
  status: TaskStatus;
  message: string | null;
  progress: number;
  progressMessage: string | null;
  result: Json;
  runAt: string;
  retryCount: number;
  definitionId: string | null;
  cancelRequested: boolean;
  lockedBy: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  updatedAt: string;
  executionMs: number | null;
  /** Why a pending task waits, when the server can tell. */
  waitingReason?: string | null;
}

/** A page of a list endpoint. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total?: number;
  /** More than the server counts: `total` is a lower bound ("10,000+"). */
  totalCapped?: boolean;
}

export interface LogEntry {
  id: number;
  taskId: string;
  stepIndex: number | null;
  attempt: number | null;
  at: string;
  level: LogLevel;
  message: string;
  fields: Record<string, Json> | null;
}

/** A page of a task's log: pass `nextAfterId` as `afterId` for more (null: nothing more now). */
export interface LogPage {
  items: LogEntry[];
  nextAfterId: number | null;
}

export interface NodeInfo {
  id: string;
  name: string;
  host: string;
  pid: number;
  version: string;
  labels: Record<string, string>;
  queues: string[];
  executors: string[];
  capacity: number;
  inFlight: number;
  startedAt: string;
  lastHeartbeatAt: string;
  state: "alive" | "dead" | "stopped";
}

/** A definition's `schedule` as users write it (the definition file). */
export interface ScheduleSpec {
  cron?: string;
  timezone?: string;
  fixedRate?: number | string;
  fixedDelay?: number | string;
  once?: string;
  startAt?: string;
  misfire?: string | { policy: string; max?: number };
  overlap?: string;
}

/** The definition file, also the body of create and update. */
export interface DefinitionSpec {
  name: string;
  description?: string;
  enabled?: boolean;
  tenant?: string;
  schedule?: ScheduleSpec;
  task: Record<string, Json>;
}

/** Fire times that made no task (overlap, misfire, duplicate). */
export interface SkippedFire {
  id: number;
  scheduledAt: string;
  count: number;
  reason: string;
  blockingTaskId: string | null;
  recordedAt: string;
}

/** A stored definition; `GET /definitions/{name}` adds `nextFireTimes` and `skippedFires`. */
export interface Definition {
  id: string;
  tenant: string;
  name: string;
  description: string | null;
  enabled: boolean;
  /** The definition file as given (schedule and task template included). */
  spec: DefinitionSpec;
  scheduleKind: "cron" | "fixedRate" | "fixedDelay" | "once" | null;
  nextFireAt: string | null;
  lastFireAt: string | null;
  /** The latest task a fire made. */
  lastTaskId: string | null;
  createdAt: string;
  updatedAt: string;
  nextFireTimes?: string[];
  skippedFires?: SkippedFire[];
}

export interface Schedule {
  cron?: string;
  timezone?: string;
  fixedRate?: number | string;
  fixedDelay?: number | string;
  once?: string;
  startAt?: string;
  misfire?: string;
  overlap?: string;
}

export interface AuditPage {
  items: AuditEntry[];
  /** Pass as `cursor` for the next (older) page; null on the last. */
  nextCursor: number | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  tokenId: string | null;
  /** The caller's tenant (`*` for admin tokens). */
  tenant: string;
  /** `noun.verb`: `task.dispatch`, `definition.trigger`, … */
  action: string;
  target: string | null;
  method: string;
  path: string;
  statusCode: number;
  outcome: "ok" | "error";
  errorCode: string | null;
}

/** Tasks that ended in one bucket of the stats window, by outcome. */
export interface StatsBucket {
  start: string;
  succeeded: number;
  /** `failed` and `timeout`. */
  failed: number;
  cancelled: number;
}

/** Execution time of one type's tasks that succeeded in the window. */
export interface TypeDurations {
  type: string;
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** `GET /stats`: counts are of tasks created in the window; the rest of tasks that ended in it. */
export interface Stats {
  window: { from: string; to: string; ms: number; bucketMs: number };
  counts: Record<TaskStatus, number>;
  ended: { succeeded: number; failed: number; cancelled: number };
  /** succeeded / (succeeded + failed); null when none ended. */
  successRate: number | null;
  buckets: StatsBucket[];
  durations: TypeDurations[];
  /** The ready task that has waited longest for a worker. */
  oldestWaiting: { id: string; type: string; queue: string; runAt: string; waitingMs: number } | null;
}

/** `GET /scheduler`: the leader, when it last ticked and how late it runs. */
export interface SchedulerStatus {
  leader: { id: string; nodeName: string; term: number; since: string; leaseUntil: string } | null;
  lastTickAt: string | null;
  lagMs: number | null;
}

/** One field error of a 400 answer: `path` is dotted (`schedule.cron`). */
export interface FieldError {
  path: string;
  message: string;
}
