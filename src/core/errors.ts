// Error classes with stable codes (docs/errors.md lists every code and its HTTP status).

/** Every stable error code taskrail produces. */
export const ERROR_CODES = [
  "VALIDATION_FAILED",
  "TASK_NOT_FOUND",
  "STEP_NOT_FOUND",
  "INVALID_TRANSITION",
  "DUPLICATE_TASK",
  "UNKNOWN_EXECUTOR",
  "UNKNOWN_CALLBACK",
  "TEMPLATE_ERROR",
  "LEASE_LOST",
  "STORE_UNAVAILABLE",
  "STORE_URL_INVALID",
  "EXECUTOR_FAILED",
  "NON_RETRYABLE",
  "STEP_TIMEOUT",
  "TASK_TIMEOUT",
  "CANCELLED",
  "SHUTDOWN",
  "SHELL_NOT_ALLOWED",
  "HTTP_STATUS",
  "WAIT_TIMEOUT",
  "CONFIG_INVALID",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "TOKEN_NOT_FOUND",
  "DEFINITION_NOT_FOUND",
  "DEFINITION_EXISTS",
  "DEFINITION_CONFLICT",
] as const;
/** A stable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One failing field of a validated input: a dotted path and what is wrong with it. */
export interface FieldError {
  path: string;
  message: string;
}

/** Base class of every error taskrail throws on purpose; `code` never changes meaning. */
export class TaskrailError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad input: lists every failing field, e.g. `steps.0.executor: unknown executor "nope"`. */
export class ValidationError extends TaskrailError {
  readonly fields: FieldError[];
  constructor(fields: FieldError[], context?: string) {
    const summary = fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join("; ");
    super("VALIDATION_FAILED", context ? `${context}: ${summary}` : summary);
    this.fields = fields;
  }
}

/** No task with that id (in the caller's tenant). */
export class TaskNotFoundError extends TaskrailError {
  constructor(readonly taskId: string) {
    super("TASK_NOT_FOUND", `task ${taskId} not found`);
  }
}

/** The task has no step of that name. */
export class StepNotFoundError extends TaskrailError {
  constructor(readonly taskId: string, readonly stepName: string) {
    super("STEP_NOT_FOUND", `task ${taskId} has no step "${stepName}"`);
  }
}

/** The requested move is not allowed from the task's (or step's) current state. */
export class InvalidTransitionError extends TaskrailError {
  constructor(message: string) {
    super("INVALID_TRANSITION", message);
  }
}

/** A non-terminal task with the same (tenant, type, indexType, index) exists. */
export class DuplicateTaskError extends TaskrailError {
  constructor(readonly existingTaskId: string, index: string) {
    super("DUPLICATE_TASK", `an active task with index "${index}" already exists: ${existingTaskId}`);
  }
}

/** A `{{ }}` placeholder could not be rendered (unknown name, bad syntax, unknown helper). */
export class TemplateError extends TaskrailError {
  constructor(message: string, readonly placeholder: string) {
    super("TEMPLATE_ERROR", message);
  }
}

/** The store could not be reached or answered with an error not of the caller's making. */
export class StoreUnavailableError extends TaskrailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("STORE_UNAVAILABLE", message, options);
  }
}

/**
 * Thrown by an executor to fail the step at once, skipping its remaining tries.
 * @example throw new NonRetryableError("customer does not exist")
 */
export class NonRetryableError extends TaskrailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("NON_RETRYABLE", message, options);
  }
}

/** `waitForTask` gave up before the task reached a terminal state. */
export class WaitTimeoutError extends TaskrailError {
  constructor(readonly taskId: string, timeoutMs: number) {
    super("WAIT_TIMEOUT", `task ${taskId} did not end within ${timeoutMs}ms`);
  }
}

/** An HTTP call without a valid bearer token (missing, malformed, unknown or revoked). */
export class UnauthorizedError extends TaskrailError {
  constructor(message: string) {
    super("UNAUTHORIZED", message);
  }
}

/** The caller's role may not do this (a viewer changing something, a non-admin on an admin route). */
export class ForbiddenError extends TaskrailError {
  constructor(message: string) {
    super("FORBIDDEN", message);
  }
}

/** No such HTTP route (or resource kind). */
export class NotFoundError extends TaskrailError {
  constructor(message: string) {
    super("NOT_FOUND", message);
  }
}

/** No API token with that id (in the caller's tenant). */
export class TokenNotFoundError extends TaskrailError {
  constructor(readonly tokenId: string) {
    super("TOKEN_NOT_FOUND", `token ${tokenId} not found`);
  }
}

/** No definition with that name (in the caller's tenant). */
export class DefinitionNotFoundError extends TaskrailError {
  constructor(readonly definitionName: string) {
    super("DEFINITION_NOT_FOUND", `definition "${definitionName}" not found`);
  }
}

/** `createDefinition` with a name the tenant already has (use apply or update to change it). */
export class DefinitionExistsError extends TaskrailError {
  constructor(readonly definitionName: string) {
    super("DEFINITION_EXISTS", `definition "${definitionName}" already exists (use apply or update to change it)`);
  }
}

/** The definition changed under a concurrent update too often to apply this one. */
export class DefinitionConflictError extends TaskrailError {
  constructor(readonly definitionName: string) {
    super("DEFINITION_CONFLICT", `definition "${definitionName}" kept changing while it was being updated; try again`);
  }
}

/** Text of any thrown value, for step messages (never the stack: it goes to the log). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === "string") return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
