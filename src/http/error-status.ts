// The one table from error codes to HTTP statuses (docs/errors.md shows the same), and the
// JSON error body every failing call answers with.
import { TaskrailError, ValidationError, type ErrorCode, type FieldError } from "../core/errors.js";

/** HTTP status of each error code a call can end with. */
export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  TASK_NOT_FOUND: 404,
  STEP_NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  DUPLICATE_TASK: 409,
  UNKNOWN_EXECUTOR: 400,
  UNKNOWN_CALLBACK: 400,
  TEMPLATE_ERROR: 400,
  LEASE_LOST: 409,
  STORE_UNAVAILABLE: 503,
  STORE_URL_INVALID: 400,
  EXECUTOR_FAILED: 500,
  NON_RETRYABLE: 500,
  STEP_TIMEOUT: 500,
  TASK_TIMEOUT: 500,
  CANCELLED: 500,
  SHUTDOWN: 503,
  SHELL_NOT_ALLOWED: 500,
  HTTP_STATUS: 500,
  WAIT_TIMEOUT: 408,
  CONFIG_INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TOKEN_NOT_FOUND: 404,
  DEFINITION_NOT_FOUND: 404,
  DEFINITION_EXISTS: 409,
  DEFINITION_CONFLICT: 409,
};

/** The code of errors that carry no taskrail code (a bug): answered 500. */
export const INTERNAL_CODE = "INTERNAL";

/** The JSON body of an error response. */
export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldError[] };
}

/** Status and body for a thrown taskrail error. */
export function errorResponse(err: TaskrailError): { status: number; body: ErrorBody } {
  const body: ErrorBody = { error: { code: err.code, message: err.message } };
  if (err instanceof ValidationError) body.error.fields = err.fields;
  return { status: HTTP_STATUS_BY_CODE[err.code] ?? 500, body };
}
