// JSON Schemas of what the API answers (tasks, pages, stats, tokens, errors) for the OpenAPI
// document. Inputs come from the library's zod schemas; these describe the outputs.

const str = { type: "string" };
const strOrNull = { type: ["string", "null"] };
const int = { type: "integer" };
const intOrNull = { type: ["integer", "null"] };
const time = { type: "string", format: "date-time" };
const timeOrNull = { type: ["string", "null"], format: "date-time" };
const anyJson = {};
const statusEnum = { type: "string", enum: ["pending", "running", "succeeded", "failed", "timeout", "cancelled"] };
const stepStatusEnum = { type: "string", enum: ["pending", "running", "succeeded", "failed", "timeout", "cancelled", "skipped"] };
const roleEnum = { type: "string", enum: ["admin", "operator", "viewer"] };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const obj = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)) => ({ type: "object", properties, required });

// Every field of a task is always sent (null when it has no value), but waitingReason: get only.
const TASK_PROPERTIES = {
  id: str, tenant: str, type: str, name: strOrNull, index: strOrNull, indexType: strOrNull, queue: str, priority: int,
  creator: strOrNull, params: { type: "object" },
  initialParams: { type: "object", description: "the params the task was dispatched with (a retry keeps them)" }, payload: anyJson, steps: { type: "array", items: ref("Step") },
  currentStep: int, status: statusEnum, message: strOrNull, progress: int, progressMessage: strOrNull, result: anyJson,
  runAt: time, timeoutMs: intOrNull, startTimeoutMs: intOrNull, deadlineAt: timeOrNull, retryCount: int,
  callbacks: { type: "array", items: str }, callbackStatus: strOrNull, callbackMessage: strOrNull, callbackAttempts: int,
  definitionId: strOrNull, scheduledAt: timeOrNull, cancelRequested: { type: "boolean" }, lockedBy: strOrNull,
  leaseUntil: timeOrNull, leaseToken: int, createdAt: time, startedAt: timeOrNull, endedAt: timeOrNull, updatedAt: time,
  executionMs: intOrNull, waitingReason: { ...strOrNull, description: "get only: why a pending task cannot run yet" },
};

/** The `components.schemas` of the OpenAPI document. */
export const RESPONSE_SCHEMAS: Record<string, unknown> = {
  Error: obj({
    error: obj(
      {
        code: { type: "string", description: "stable error code (docs/errors.md)" },
        message: str,
        fields: { type: "array", items: obj({ path: { type: "string", description: "dotted path of the bad field, e.g. steps.0.executor" }, message: str }) },
      },
      ["code", "message"],
    ),
  }),
  Step: obj({
    index: int, name: str, alias: strOrNull, executor: str, params: { type: "object" }, payload: anyJson, queue: strOrNull,
    status: stepStatusEnum, message: strOrNull, attempts: int, maxTries: int,
    backoff: obj({ kind: { type: "string", enum: ["fixed", "exponential", "fibonacci"] }, delayMs: int, maxMs: int, jitter: { type: "number" } }),
    timeoutMs: intOrNull, skipOnFailed: { type: "boolean" }, startedAt: timeOrNull, endedAt: timeOrNull, executionMs: intOrNull, output: anyJson,
    paramsSet: { type: ["object", "null"], description: "the setParam patch this step's success merged into the task's params; null when it wrote none or has not succeeded" },
    paramsBefore: { type: "object", description: "the task's params when this step started: initialParams plus the patches of the earlier steps that succeeded, in order" },
    paramsAfter: { type: ["object", "null"], description: "paramsBefore with this step's paramsSet; null while the step has not succeeded" },
  }),
  Task: obj(TASK_PROPERTIES, Object.keys(TASK_PROPERTIES).filter((name) => name !== "waitingReason")),
  TaskPage: obj({ items: { type: "array", items: ref("Task") }, total: int, totalCapped: { type: "boolean" }, nextCursor: strOrNull }),
  LogEntry: obj({
    id: int, taskId: str, stepIndex: intOrNull, attempt: intOrNull, at: time,
    level: { type: "string", enum: ["debug", "info", "warn", "error"] }, message: str, fields: { type: ["object", "null"] },
  }),
  LogPage: obj({ items: { type: "array", items: ref("LogEntry") }, nextAfterId: intOrNull }),
  TaskProgress: obj({
    id: str, status: statusEnum, ended: { type: "boolean" }, progress: int, progressMessage: strOrNull, message: strOrNull, currentStep: int,
    steps: { type: "array", items: obj({ name: str, alias: strOrNull, status: stepStatusEnum, attempts: int, message: strOrNull }) },
    updatedAt: time,
  }),
  WhoAmI: obj({ tokenId: str, tenant: { ...strOrNull, description: "null: an admin token, every tenant" }, role: roleEnum }),
  Node: obj({
    id: str, name: str, host: str, pid: int, version: str, labels: { type: "object", additionalProperties: str },
    queues: { type: "array", items: str }, executors: { type: "array", items: str }, capacity: int, inFlight: int,
    state: { type: "string", enum: ["alive", "dead", "stopped"] }, startedAt: time, lastHeartbeatAt: time,
  }),
  Limit: obj({
    scope: { type: "string", enum: ["queue", "type"] }, name: str, maxRunning: intOrNull,
    rate: { anyOf: [obj({ count: int, intervalMs: int }), { type: "null" }] },
  }),
  StatsReport: obj({
    window: obj({ from: time, to: time, ms: int, bucketMs: int }),
    counts: { type: "object", additionalProperties: int, description: "tasks created in the window, by status" },
    ended: obj({ succeeded: int, failed: int, cancelled: int }),
    successRate: { type: ["number", "null"] },
    buckets: { type: "array", items: obj({ start: time, succeeded: int, failed: int, cancelled: int }) },
    durations: { type: "array", items: obj({ type: str, count: int, p50Ms: int, p90Ms: int, p99Ms: int, maxMs: int }) },
    oldestWaiting: { anyOf: [obj({ id: str, type: str, queue: str, runAt: time, waitingMs: int }), { type: "null" }] },
  }),
  Definition: obj(
    {
      id: str, tenant: str, name: str, description: strOrNull, enabled: { type: "boolean" },
      spec: { type: "object", description: "the validated definition file" },
      scheduleKind: { type: ["string", "null"], enum: ["cron", "fixedRate", "fixedDelay", "once", null] },
      nextFireAt: timeOrNull, lastFireAt: timeOrNull, lastTaskId: strOrNull, version: int, createdAt: time, updatedAt: time,
    },
  ),
  DefinitionDetails: {
    allOf: [
      ref("Definition"),
      obj({
        schedule: { type: ["object", "null"] },
        nextFireTimes: { type: "array", items: time },
        skippedFires: { type: "array", items: { type: "object" } },
      }),
    ],
  },
  DefinitionPage: obj({ items: { type: "array", items: ref("Definition") }, total: int, nextCursor: strOrNull }),
  ApplyDefinitionResult: obj({ definition: ref("Definition"), action: { type: "string", enum: ["created", "updated", "unchanged"] } }),
  SchedulerStatus: obj(
    {
      leader: { anyOf: [obj({ id: str, nodeName: str, term: int, since: time, leaseUntil: time }), { type: "null" }] },
      lastTickAt: timeOrNull,
      lagMs: intOrNull,
      lease: { type: ["object", "null"] },
      process: { anyOf: [obj({ state: str, role: { type: "string", enum: ["leader", "follower"] } }), { type: "null" }], description: "this process's scheduler" },
    },
    ["leader", "lastTickAt", "lagMs", "process"],
  ),
  ApiToken: obj({ id: str, tenant: { type: "string", description: "`*` for admin tokens" }, role: roleEnum, name: strOrNull, createdAt: time, revokedAt: timeOrNull }),
  IssuedToken: obj({ id: str, token: { type: "string", description: "the secret: shown once, never stored" }, tenant: str, role: roleEnum, name: strOrNull }),
  AuditPage: obj({
    items: {
      type: "array",
      items: obj({
        id: int, at: time, tokenId: strOrNull, tenant: str, action: str, target: strOrNull, method: str, path: str,
        statusCode: int, outcome: { type: "string", enum: ["ok", "error"] }, errorCode: strOrNull,
      }),
    },
    nextCursor: intOrNull,
  }),
};
