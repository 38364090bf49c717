import { test } from "node:test";
import assert from "node:assert/strict";
import * as api from "../../src/index.js";

// The public API is curated by hand in src/index.ts; this list changes only on purpose.
test("the public API exports exactly the curated names", () => {
  assert.deepEqual(Object.keys(api).sort(), [
    "ERROR_CODES",
    "DefinitionConflictError",
    "DefinitionExistsError",
    "DefinitionNotFoundError",
    "DuplicateTaskError",
    "EventBus",
    "ExecutorRegistry",
    "InvalidTransitionError",
    "NonRetryableError",
    "STEP_STATUSES",
    "StepAbortedError",
    "StepNotFoundError",
    "StoreUnavailableError",
    "TASK_STATUSES",
    "TERMINAL_TASK_STATUSES",
    "TaskBuilder",
    "TaskNotFoundError",
    "Taskrail",
    "TaskrailClient",
    "TaskrailError",
    "TemplateError",
    "Scheduler",
    "ValidationError",
    "WaitTimeoutError",
    "Worker",
    "createBuiltinExecutors",
    "createDefaultLogger",
    "createTaskrail",
    "isTerminalTaskStatus",
    "openStore",
    "parseStoreUrl",
    "registerTemplateHelper",
    "resolveSchedulerOptions",
    "resolveWorkerOptions",
    "specFromSeedBuilder",
    "task",
  ].sort());
});
