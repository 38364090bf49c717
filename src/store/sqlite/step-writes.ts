// Fenced worker writes of the SQLite store: a step's success, failure, cancel, release,
// progress and log lines. Each runs inside the caller's write transaction (one per call) and
// first checks the lease still holds; a refused write changes nothing.
import { TaskNotFoundError, ValidationError } from "../../core/errors.js";
import type { JsonObject } from "../../core/json.js";
import type { Lease, NewLogEntry } from "../../core/task.js";
import type { CancelStepRequest, CompleteStepRequest, FailStepRequest, StepWriteResult } from "../store.js";
import { toJsonText } from "./row-mapping.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { START_STEP } from "./claim.js";
import { SET_CONTINUE, SET_SUCCEEDED, advanceChain, endTask, finishStep, insertLogs } from "./task-transitions.js";

/** The refusal every fenced write answers with when the lease moved on. */
export const LEASE_LOST: StepWriteResult = Object.freeze({ ok: false, reason: "lease_lost" }) as StepWriteResult;

/** What the fence reads of a held task and its current step. */
interface FencedTask {
  tenant: string;
  current_step: number;
  step_count: number;
  cancel_requested: number;
  params: string;
  step_status: string | null;
}

// -- @id, @token, @node, @now ms: token, status, holder and lease end must all still match.
const SELECT_FENCED = `
SELECT t.tenant, t.current_step, t.step_count, t.cancel_requested, t.params, s.status AS step_status
FROM tasks t LEFT JOIN steps s ON s.task_id = t.id AND s.idx = t.current_step
WHERE t.id = @id AND t.lease_token = @token AND t.status = 'running' AND t.locked_by = @node AND t.lease_until >= @now`;

/** The held task, or undefined when the lease is lost at `now`. */
function fence(conn: SqliteConnection, lease: Lease, now: number): FencedTask | undefined {
  return conn.stmt(SELECT_FENCED).get({ id: lease.taskId, token: lease.token, node: lease.nodeId, now }) as FencedTask | undefined;
}

/** The held task when `stepIndex` is its current, running step. */
function fenceStep(conn: SqliteConnection, lease: Lease, stepIndex: number, now: number): FencedTask | undefined {
  const task = fence(conn, lease, now);
  if (task === undefined || task.current_step !== stepIndex || task.step_status !== "running") return undefined;
  return task;
}

/** A `setParam` patch with `undefined` values as null (JSON would drop the key); null when empty. */
function cleanPatch(patch: JsonObject | null | undefined): JsonObject | null {
  if (patch === null || patch === undefined) return null;
  const keys = Object.keys(patch);
  if (keys.length === 0) return null;
  const out: JsonObject = {};
  for (const key of keys) out[key] = patch[key] === undefined ? null : patch[key];
  return out;
}

/** Shallow merge of a cleaned patch into stored params text (null when nothing changes). */
function mergeParams(stored: string, patch: JsonObject | null): string | null {
  if (patch === null) return null;
  return JSON.stringify({ ...(JSON.parse(stored) as JsonObject), ...patch });
}

// The fence of SELECT_FENCED + fenceStep as the WHERE of an UPDATE (@id, @token, @node, @now,
// @idx): the lease holds and step @idx is the task's current, running step.
const FENCED_STEP = `
id = @id AND lease_token = @token AND status = 'running' AND locked_by = @node AND lease_until >= @now
  AND current_step = @idx AND (SELECT s.status FROM steps s WHERE s.task_id = @id AND s.idx = @idx) = 'running'`;

// -- FENCED_STEP, @next, @params, @payload, @result: the last step succeeded, so does the task.
const COMPLETE_LAST_STEP = `UPDATE tasks SET ${SET_SUCCEEDED} WHERE ${FENCED_STEP} AND step_count = @next`;

// -- FENCED_STEP, @next, @params, @payload, @result: the chain goes on in place under the lease.
const COMPLETE_AND_CONTINUE = `
UPDATE tasks SET ${SET_CONTINUE} WHERE ${FENCED_STEP} AND step_count > @next AND cancel_requested = 0`;

/**
 * The two common successes in one fenced UPDATE each instead of a fence read plus writes:
 * the task's last step (it ends succeeded), or a step whose successor this worker starts in
 * place. Undefined when the guess did not hold (lease lost, another step, a cancel pending,
 * a params patch to merge): the caller then takes the general path, which decides exactly.
 */
function completeFast(conn: SqliteConnection, lease: Lease, req: CompleteStepRequest, now: number, output: string): StepWriteResult | undefined {
  if (req.paramsPatch !== null && req.paramsPatch !== undefined && Object.keys(req.paramsPatch).length > 0) return undefined;
  const idx = req.stepIndex;
  const next = idx + 1;
  const params = {
    id: lease.taskId,
    token: lease.token,
    node: lease.nodeId,
    now,
    idx,
    next,
    params: null,
    payload: req.taskPayload === undefined ? null : toJsonText(req.taskPayload),
    result: output,
  };
  // continueNext says the worker has a next step it can run, so this is not the last one.
  const sql = req.continueNext ? COMPLETE_AND_CONTINUE : COMPLETE_LAST_STEP;
  if (conn.stmt(sql).run(params).changes !== 1) return undefined;
  finishStep(conn, lease.taskId, idx, "succeeded", null, now, output);
  if (req.logs && req.logs.length > 0) {
    const { tenant } = conn.stmt(SELECT_TENANT).get({ id: lease.taskId }) as { tenant: string };
    insertLogs(conn, lease.taskId, tenant, req.logs);
  }
  if (!req.continueNext) return { ok: true, taskStatus: "succeeded", startedStep: null };
  conn.stmt(START_STEP).run({ id: lease.taskId, idx: next, now });
  return { ok: true, taskStatus: "running", startedStep: next };
}

/** `Store.completeStep`. */
export function completeStep(conn: SqliteConnection, lease: Lease, req: CompleteStepRequest): StepWriteResult {
  const now = req.now.getTime();
  const output = toJsonText(req.output);
  const fast = completeFast(conn, lease, req, now, output);
  if (fast !== undefined) return fast;
  const task = fenceStep(conn, lease, req.stepIndex, now);
  if (task === undefined) return LEASE_LOST;
  // The patch lands twice in this transaction: merged into the task's params, and kept as
  // the step's own `params_set` so before/after of each step can be told (params-timeline).
  const patch = cleanPatch(req.paramsPatch);
  finishStep(conn, lease.taskId, req.stepIndex, "succeeded", null, now, output, patch === null ? null : JSON.stringify(patch));
  const handOver = {
    params: mergeParams(task.params, patch),
    payload: req.taskPayload === undefined ? null : toJsonText(req.taskPayload),
    result: output,
  };
  if (req.logs) insertLogs(conn, lease.taskId, task.tenant, req.logs);
  const { taskStatus, startedStep } = advanceChain(conn, taskFacts(lease, task), req.continueNext, now, handOver);
  return { ok: true, taskStatus, startedStep };
}

function taskFacts(lease: Lease, task: FencedTask) {
  return { id: lease.taskId, idx: task.current_step, stepCount: task.step_count, cancelRequested: task.cancel_requested === 1 };
}

/** `Store.failStep`. */
export function failStep(conn: SqliteConnection, lease: Lease, req: FailStepRequest): StepWriteResult {
  const now = req.now.getTime();
  const task = fenceStep(conn, lease, req.stepIndex, now);
  if (task === undefined) return LEASE_LOST;
  if (req.logs) insertLogs(conn, lease.taskId, task.tenant, req.logs);
  const then = req.then;
  switch (then.kind) {
    case "retry": {
      if (task.cancel_requested === 1) {
        finishStep(conn, lease.taskId, req.stepIndex, "cancelled", req.message, now);
        endTask(conn, lease.taskId, "cancelled", "cancelled by request", now, false);
        return { ok: true, taskStatus: "cancelled", startedStep: null };
      }
      finishStep(conn, lease.taskId, req.stepIndex, "pending", req.message, now);
      conn.stmt(RETRY_LATER).run({ id: lease.taskId, runAt: then.runAt.getTime(), message: req.message, now });
      return { ok: true, taskStatus: "pending", startedStep: null };
    }
    case "skip": {
      finishStep(conn, lease.taskId, req.stepIndex, "skipped", req.message, now);
      const { taskStatus, startedStep } = advanceChain(conn, taskFacts(lease, task), then.continueNext, now);
      return { ok: true, taskStatus, startedStep };
    }
    case "end": {
      finishStep(conn, lease.taskId, req.stepIndex, req.stepStatus, req.message, now);
      endTask(conn, lease.taskId, then.taskStatus, req.message, now, false);
      return { ok: true, taskStatus: then.taskStatus, startedStep: null };
    }
  }
}

// -- @id, @runAt ms, @message, @now ms: the step waits for its backoff, the lease is released.
const RETRY_LATER = `
UPDATE tasks SET status = 'pending', run_at = @runAt, message = @message, locked_by = NULL, lease_until = NULL, updated_at = @now
WHERE id = @id`;

/** `Store.cancelStep`. */
export function cancelStep(conn: SqliteConnection, lease: Lease, req: CancelStepRequest): StepWriteResult {
  const now = req.now.getTime();
  const task = fenceStep(conn, lease, req.stepIndex, now);
  if (task === undefined) return LEASE_LOST;
  if (req.logs) insertLogs(conn, lease.taskId, task.tenant, req.logs);
  finishStep(conn, lease.taskId, req.stepIndex, "cancelled", req.message, now);
  endTask(conn, lease.taskId, "cancelled", req.message, now, false);
  return { ok: true, taskStatus: "cancelled", startedStep: null };
}

// -- @id, @idx, the interrupted try is not counted
const RELEASE_STEP = `
UPDATE steps SET status = 'pending', attempts = max(0, attempts - 1), started_at = NULL
WHERE task_id = @id AND idx = @idx`;

// -- @id, @now ms
const RELEASE_TASK = `
UPDATE tasks SET status = 'pending', run_at = @now, locked_by = NULL, lease_until = NULL,
  lease_token = lease_token + 1, updated_at = @now
WHERE id = @id`;

/** `Store.releaseTask`. */
export function releaseTask(conn: SqliteConnection, lease: Lease, now: Date): StepWriteResult {
  const at = now.getTime();
  const task = fence(conn, lease, at);
  if (task === undefined) return LEASE_LOST;
  if (task.cancel_requested) {
    // Released with a cancel pending: pending again it could never be claimed; end it as asked.
    if (task.step_status === "running") finishStep(conn, lease.taskId, task.current_step, "cancelled", "cancelled by request", at);
    endTask(conn, lease.taskId, "cancelled", "cancelled by request", at, false);
    return { ok: true, taskStatus: "cancelled", startedStep: null };
  }
  if (task.step_status === "running") conn.stmt(RELEASE_STEP).run({ id: lease.taskId, idx: task.current_step });
  conn.stmt(RELEASE_TASK).run({ id: lease.taskId, now: at });
  return { ok: true, taskStatus: "pending", startedStep: null };
}

// -- @id, @token, @node, @now ms, @progress 0..100, @message
const UPDATE_PROGRESS = `
UPDATE tasks SET progress = @progress, progress_message = @message, updated_at = @now
WHERE id = @id AND lease_token = @token AND status = 'running' AND locked_by = @node AND lease_until >= @now`;

/** `Store.updateProgress`: progress clamped to an integer in 0..100. */
export function updateProgress(conn: SqliteConnection, lease: Lease, progressPct: number, message: string | null, now: Date): boolean {
  const progress = Number.isFinite(progressPct) ? Math.min(100, Math.max(0, Math.round(progressPct))) : 0;
  const params = { id: lease.taskId, token: lease.token, node: lease.nodeId, now: now.getTime(), progress, message };
  return conn.stmt(UPDATE_PROGRESS).run(params).changes === 1;
}

// -- @id task id
const SELECT_TENANT = `SELECT tenant FROM tasks WHERE id = @id`;

/**
 * `Store.appendLogs`. With a lease: all lines must be of the leased task and are written only
 * while the lease holds (all or nothing). Without: every line's task must exist.
 */
export function appendLogs(conn: SqliteConnection, entries: NewLogEntry[], lease: Lease | null, now: Date): boolean {
  if (lease !== null) {
    const stray = entries.findIndex((e) => e.taskId !== lease.taskId);
    if (stray >= 0) throw new ValidationError([{ path: `${stray}.taskId`, message: `must be the leased task ${lease.taskId}, got ${entries[stray].taskId}` }]);
    const task = fence(conn, lease, now.getTime());
    if (task === undefined) return false;
    insertLogs(conn, lease.taskId, task.tenant, entries);
    return true;
  }
  const tenants = new Map<string, string>();
  for (const e of entries) {
    let tenant = tenants.get(e.taskId);
    if (tenant === undefined) {
      const row = conn.stmt(SELECT_TENANT).get({ id: e.taskId }) as { tenant: string } | undefined;
      // Throwing undoes the lines already inserted by this call: all or nothing.
      if (row === undefined) throw new TaskNotFoundError(e.taskId);
      tenants.set(e.taskId, (tenant = row.tenant));
    }
    insertLogs(conn, e.taskId, tenant, [e]);
  }
  return true;
}
