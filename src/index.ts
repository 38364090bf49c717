// The public API of taskrail: named re-exports only (a test snapshots this list).
export { createTaskrail, Taskrail, type TaskrailOptions } from "./runtime/taskrail.js";
export {
  TaskrailClient,
  type ClientOptions,
  type DispatchInput,
  type DispatchOptions,
  type WaitOptions,
} from "./client/taskrail-client.js";
export { task, TaskBuilder, specFromSeedBuilder, type SeedTaskBuilder, type SeedTaskInfo, type StepOptions } from "./client/task-builder.js";
export { Worker, type WorkerState, type WorkerDeps } from "./worker/worker.js";
export { resolveWorkerOptions, type WorkerOptions, type ResolvedWorkerOptions } from "./worker/worker-options.js";
export { Scheduler, type SchedulerState, type SchedulerDeps, type SchedulerTickResult } from "./scheduler/scheduler.js";
export { resolveSchedulerOptions, type SchedulerOptions, type ResolvedSchedulerOptions } from "./scheduler/scheduler-options.js";
export type { FiringPassResult } from "./scheduler/firing-pass.js";
export type { ApplyDefinitionResult, DefinitionDetails, SchedulerStatus } from "./client/definition-operations.js";
export type {
  Definition,
  Schedule,
  ScheduleKind,
  MisfirePolicy,
  MisfirePolicyName,
  OverlapPolicy,
  SkippedFire,
  SkipReason,
} from "./core/definition.js";
export type { DefinitionSpec, ScheduleSpec } from "./core/validation/definition-spec.js";
export type { DefinitionQuery } from "./core/validation/definition-query.js";
export { ExecutorRegistry } from "./worker/executor-registry.js";
export { StepAbortedError, type AbortKind } from "./worker/abort-reason.js";
export type { WorkerStats } from "./worker/worker-stats.js";
export { createBuiltinExecutors, type BuiltinExecutorOptions } from "./executors/builtin-executors.js";
export { openStore, parseStoreUrl } from "./store/open-store.js";
export type {
  Store,
  TaskEventQuery,
  TaskEventPage,
  QueueStats,
  TaskTypeCount,
  TaskFilter,
  TaskPage,
  PageRequest,
  TenantScope,
  DuplicatePolicy,
  DefinitionPage,
  SchedulerLease,
} from "./store/store.js";
export {
  TaskrailError,
  ValidationError,
  TaskNotFoundError,
  StepNotFoundError,
  InvalidTransitionError,
  DuplicateTaskError,
  TemplateError,
  StoreUnavailableError,
  NonRetryableError,
  WaitTimeoutError,
  DefinitionNotFoundError,
  DefinitionExistsError,
  DefinitionConflictError,
  ERROR_CODES,
  type ErrorCode,
  type FieldError,
} from "./core/errors.js";
export {
  TASK_STATUSES,
  STEP_STATUSES,
  TERMINAL_TASK_STATUSES,
  isTerminalTaskStatus,
  type TaskStatus,
  type StepStatus,
} from "./core/status.js";
export type { Task, Step, Lease, TaskLogEntry, LogLevel, CallbackStatus } from "./core/task.js";
export type { TaskEvent, TaskEventKind } from "./core/task-event.js";
export type { TaskEventRetentionOptions } from "./worker/task-event-retention.js";
export type { StepContext, CallbackContext, Executor, Callback, StepLog, TaskView } from "./core/step-context.js";
export type { JsonValue, JsonObject } from "./core/json.js";
export type { TaskSpec, StepSpec } from "./core/validation/task-spec.js";
export type { TaskQuery } from "./core/validation/task-query.js";
export { registerTemplateHelper, type TemplateHelper } from "./core/render.js";
export type { BackoffPolicy, BackoffKind } from "./core/backoff.js";
export { EventBus, type TaskrailEvents, type TaskrailEventName } from "./core/events.js";
export type { Clock } from "./core/clock.js";
export type { Logger, LogFields } from "./core/logger.js";
export { createDefaultLogger } from "./observability/default-logger.js";
