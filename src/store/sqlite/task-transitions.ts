// Row moves shared by worker writes, sweeps and operator transitions: end a step, advance the
// chain after a step is done, end the task, append log lines. Callers run them inside one
// write transaction after checking the expected state.
import type { TaskStatus } from "../../core/status.js";
import type { NewLogEntry } from "../../core/task.js";
import { START_STEP } from "./claim.js";
import { toJsonText } from "./row-mapping.js";
import type { SqliteConnection } from "./sqlite-connection.js";

/** Sets the denormalized current executor and effective queue from step `@next` (NULL past the end). */
const CURRENT_STEP_COLUMNS = `
  current_step = @next,
  current_executor = (SELECT s.executor FROM steps s WHERE s.task_id = tasks.id AND s.idx = @next),
  current_queue = (SELECT COALESCE(s.queue, tasks.queue) FROM steps s WHERE s.task_id = tasks.id AND s.idx = @next)`;

/** Callback delivery armed for a terminal transition (only when the task names callbacks). */
const ARM_CALLBACKS = `
  callback_status = CASE WHEN callbacks <> '[]' THEN 'pending' END,
  callback_run_at = CASE WHEN callbacks <> '[]' THEN @now END,
  callback_attempts = 0, callback_message = NULL, callback_lease_until = NULL`;

/** Step outputs land here: @params / @payload / @result NULL keep the stored value. */
const STEP_WRITES = `
  params = COALESCE(@params, params), payload = COALESCE(@payload, payload), result = COALESCE(@result, result)`;

// -- @id, @idx, @status, @message, @output JSON or NULL, @now ms
const FINISH_STEP = `
UPDATE steps SET status = @status, message = @message, output = COALESCE(@output, output), params_set = @paramsSet,
  ended_at = @now, execution_ms = @now - started_at
WHERE task_id = @id AND idx = @idx`;

// -- @id, @next, @now, @params, @payload, @result; past the last step there is no executor
// to look up (the hottest write of all: one-step tasks end here).
export const SET_SUCCEEDED = `
  status = 'succeeded', message = NULL, progress = 100, ${STEP_WRITES},
  current_step = @next, current_executor = NULL, current_queue = NULL,
  ended_at = @now, execution_ms = @now - started_at, locked_by = NULL, lease_until = NULL, updated_at = @now, ${ARM_CALLBACKS}`;
const ADVANCE_SUCCEEDED = `UPDATE tasks SET ${SET_SUCCEEDED} WHERE id = @id`;

// -- @id, @next, @now, @params, @payload, @result
const ADVANCE_CANCELLED = `
UPDATE tasks SET status = 'cancelled', message = 'cancelled by request', ${STEP_WRITES}, ${CURRENT_STEP_COLUMNS},
  ended_at = @now, execution_ms = @now - started_at, locked_by = NULL, lease_until = NULL, updated_at = @now, ${ARM_CALLBACKS}
WHERE id = @id`;

// -- @id, @next, @now, @params, @payload, @result; the task stays running under its lease
export const SET_CONTINUE = `${STEP_WRITES}, ${CURRENT_STEP_COLUMNS}, updated_at = @now`;
const ADVANCE_CONTINUE = `UPDATE tasks SET ${SET_CONTINUE} WHERE id = @id`;

// -- @id, @next, @now, @params, @payload, @result
const ADVANCE_PENDING = `
UPDATE tasks SET status = 'pending', run_at = @now, ${STEP_WRITES}, ${CURRENT_STEP_COLUMNS},
  locked_by = NULL, lease_until = NULL, updated_at = @now
WHERE id = @id`;

// -- @id, @status, @message, @now, @bump (0 or 1: lease token increment)
const END_TASK = `
UPDATE tasks SET status = @status, message = @message, ended_at = @now, execution_ms = @now - started_at,
  locked_by = NULL, lease_until = NULL, lease_token = lease_token + @bump, updated_at = @now, ${ARM_CALLBACKS}
WHERE id = @id`;

// -- @taskId, @tenant, @stepIndex, @attempt, @at ms, @level, @message, @fields JSON or NULL
const INSERT_LOG = `
INSERT INTO task_logs (task_id, tenant, step_index, attempt, at, level, message, fields)
VALUES (@taskId, @tenant, @stepIndex, @attempt, @at, @level, @message, @fields)`;

/**
 * Records how a step's try ended (`output` undefined keeps the stored output). `paramsSet` is
 * the JSON text of the params patch a success wrote; every other end stores NULL.
 */
export function finishStep(
  conn: SqliteConnection,
  id: string,
  idx: number,
  status: string,
  message: string | null,
  now: number,
  output?: string,
  paramsSet: string | null = null,
): void {
  conn.stmt(FINISH_STEP).run({ id, idx, status, message, output: output ?? null, paramsSet, now });
}

/** What a finished step hands on to the task. JSON texts; null keeps the stored value. */
export interface StepHandOver {
  params: string | null;
  payload: string | null;
  result: string | null;
}

const KEEP_ALL: StepHandOver = { params: null, payload: null, result: null };

/**
 * The tail after the current step `idx` is done (succeeded or skipped): (a) last step →
 * task succeeded; (b) cancel requested → cancelled; (c) `continueNext` → next step started
 * under the same lease; (d) task back to pending at `now`. Returns the task status and the
 * step started, if any.
 */
export function advanceChain(
  conn: SqliteConnection,
  task: { id: string; idx: number; stepCount: number; cancelRequested: boolean },
  continueNext: boolean,
  now: number,
  handOver: StepHandOver = KEEP_ALL,
): { taskStatus: TaskStatus; startedStep: number | null } {
  const next = task.idx + 1;
  const params = { id: task.id, next, now, ...handOver };
  if (next >= task.stepCount) {
    conn.stmt(ADVANCE_SUCCEEDED).run(params);
    return { taskStatus: "succeeded", startedStep: null };
  }
  if (task.cancelRequested) {
    conn.stmt(ADVANCE_CANCELLED).run(params);
    return { taskStatus: "cancelled", startedStep: null };
  }
  if (continueNext) {
    conn.stmt(ADVANCE_CONTINUE).run(params);
    conn.stmt(START_STEP).run({ id: task.id, idx: next, now });
    return { taskStatus: "running", startedStep: next };
  }
  conn.stmt(ADVANCE_PENDING).run(params);
  return { taskStatus: "pending", startedStep: null };
}

/**
 * Ends the task with a terminal `status`: lease cleared, callbacks armed. `bumpToken` also
 * moves the fencing token on (for ends not made by the lease holder).
 */
export function endTask(conn: SqliteConnection, id: string, status: TaskStatus, message: string | null, now: number, bumpToken: boolean): void {
  conn.stmt(END_TASK).run({ id, status, message, now, bump: bumpToken ? 1 : 0 });
}

/** Appends log lines of task `taskId` (already checked visible/fenced by the caller). */
export function insertLogs(conn: SqliteConnection, taskId: string, tenant: string, entries: readonly NewLogEntry[]): void {
  if (entries.length === 0) return;
  const insert = conn.stmt(INSERT_LOG);
  for (const e of entries) {
    insert.run({
      taskId,
      tenant,
      stepIndex: e.stepIndex,
      attempt: e.attempt,
      at: e.at.getTime(),
      level: e.level,
      message: e.message,
      fields: e.fields === null || e.fields === undefined ? null : toJsonText(e.fields),
    });
  }
}
