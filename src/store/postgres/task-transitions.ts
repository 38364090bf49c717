// Row moves shared by worker writes and sweeps: advance the chain after a step is done, end the
// task, send the step back to wait for a retry. Each is ONE statement over a batch of moves
// (parallel arrays, usually one entry; completeStep sends many at once): lock the tasks whose
// fence holds, in id order, then update each task and its step(s) and append its log lines.
// A move whose fence misses writes nothing and is absent from the result.
import type { TaskStatus } from "../../core/status.js";
import type { NewLogEntry } from "../../core/task.js";
import type { SqlRunner } from "./postgres-connection.js";
import { msBetween, toJsonText } from "./row-mapping.js";

/**
 * Who may make a move. `lease`: the holder, while its lease holds at `now` and `idx` is its
 * running current step. `expired`: a sweeper, on a task whose lease ended before `now` (the
 * sweeper read it FOR UPDATE, so the token it passes is the current one).
 */
export type Fence = "lease" | "expired";

const FENCES: Record<Fence, string> = {
  lease: `t.lease_token = r.token AND t.status = 'running' AND t.locked_by = r.node AND t.lease_until >= r.now
    AND t.current_step = r.idx
    AND (SELECT f.status FROM steps f WHERE f.task_id = r.id AND f.idx = r.idx) = 'running'`,
  expired: `t.lease_token = r.token AND t.status = 'running' AND t.locked_by IS NOT DISTINCT FROM r.node
    AND t.lease_until < r.now AND t.current_step = r.idx`,
};

/** The lease arguments of every move. */
export interface MoveTarget {
  taskId: string;
  token: number;
  nodeId: string | null;
  now: Date;
  stepIndex: number;
  logs?: readonly NewLogEntry[];
}

/** Columns every move carries: -- $1 task ids, $2 tokens, $3 nodes, $4 nows, $5 step indexes. */
const TARGET_COLUMNS = [
  ["id", "text"],
  ["token", "int"],
  ["node", "text"],
  ["now", "timestamptz"],
  ["idx", "int"],
] as const;

/**
 * The statement skeleton: `r` (one row per move, `ord` its position), `lk` (moves whose fence
 * holds, their task rows locked in id order so two batches never deadlock; it carries the
 * moves' columns on, because joining `r` again by `ord` made the cached generic plan compare
 * every move with every other: 9,702 rows filtered for a batch of 99), `u` (the task
 * update: SET expressions read `t.*` after the lock, so a cancel request that landed while
 * we waited is seen), then step updates, the log insert, and the result per move.
 * `lk` probes each move's task through a LATERAL subquery, moves sorted by id: that fixes the
 * plan as "for each move, one primary-key probe", locking in id order. As a plain join, once
 * ANALYZE had seen few running tasks, the planner estimated `status = 'running'` at one row
 * and drove the join from tasks_status_id, re-running the unnest for every running task: 22
 * of the 28 ms of a 128-move batch (16,256 rows filtered). The fence is checked on the locked
 * row outside the probe (OFFSET 0 keeps its conditions out), so that none of them can steer
 * the probe to another index (`status = 'running'` matches tasks_lease_until, which a plan
 * made on a small table walks whole); the lease fence reads the step's status with a
 * scalar subquery, a primary-key probe (as EXISTS it was planned as a walk of steps_pkey). A
 * move whose fence fails holds its task's row lock until the statement commits, and writes
 * nothing.
 */
function moveSql(fence: Fence, extra: readonly (readonly [string, string])[], taskSet: string, stepCtes: string): string {
  const columns = [...TARGET_COLUMNS, ...extra];
  const arrays = columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
  const names = columns.map(([name]) => name).join(", ");
  const carried = ["ord", "idx", "now", ...extra.map(([name]) => name)].map((n) => `r.${n}`).join(", ");
  const logFirst = columns.length + 1;
  const lp = (k: number) => `$${logFirst + k}`;
  return `
WITH r AS (
  SELECT * FROM unnest(${arrays}) WITH ORDINALITY AS r(${names}, ord)
), lk AS (
  SELECT r.* FROM (SELECT * FROM r ORDER BY r.id COLLATE "C") r
  CROSS JOIN LATERAL (
    SELECT t.lease_token, t.status, t.locked_by, t.lease_until, t.current_step FROM tasks t WHERE t.id = r.id
    OFFSET 0 FOR UPDATE
  ) t
  WHERE ${FENCES[fence]}
), u AS (
  UPDATE tasks t SET ${taskSet}
  FROM lk r
  WHERE t.id = r.id
  RETURNING t.id, t.tenant, t.status, ${carried}
)${stepCtes}, logs AS (
  INSERT INTO task_logs (task_id, tenant, step_index, attempt, at, level, message, fields)
  SELECT u.id, u.tenant, l.step_index, l.attempt, l.at, l.level, l.message, l.fields::jsonb
  FROM u JOIN unnest(${lp(0)}::int[], ${lp(1)}::int[], ${lp(2)}::int[], ${lp(3)}::timestamptz[], ${lp(4)}::text[], ${lp(5)}::text[], ${lp(6)}::text[])
    WITH ORDINALITY AS l(ref, step_index, attempt, at, level, message, fields, k) ON l.ref = u.ord
  ORDER BY l.ref, l.k
)
SELECT u.ord, u.status FROM u`;
}

/** Callback delivery (re)armed when `ends` holds and the task names callbacks; else kept. */
function armCallbacks(ends: string): string {
  const has = `cardinality(t.callbacks) > 0`;
  return `
    callback_status = CASE WHEN ${ends} THEN (CASE WHEN ${has} THEN 'pending' END) ELSE t.callback_status END,
    callback_run_at = CASE WHEN ${ends} THEN (CASE WHEN ${has} THEN r.now END) ELSE t.callback_run_at END,
    callback_attempts = CASE WHEN ${ends} THEN 0 ELSE t.callback_attempts END,
    callback_message = CASE WHEN ${ends} THEN NULL ELSE t.callback_message END,
    callback_lease_until = CASE WHEN ${ends} THEN NULL ELSE t.callback_lease_until END`;
}

const STEP_ENDED = `ended_at = u.now, execution_ms = ${msBetween("u.now", "s.started_at")}`;

const LAST = `(r.idx + 1 >= t.step_count)`;
const ENDS = `(${LAST} OR t.cancel_requested)`;
const CONTINUES = `(NOT ${ENDS} AND r.cont)`;

// After the step is done: (a) last step → succeeded; (b) cancel requested → cancelled;
// (c) `cont` → next step started under the same lease; (d) back to pending at now.
// Per move: step_status (succeeded | skipped), step_message, output / payload / result (json
// texts, NULL keeps the stored value), patch (json object merged into params and kept as
// the step's params_set, or NULL),
// cont, bump (lease token increment).
const ADVANCE_COLUMNS = [
  ["step_status", "text"],
  ["step_message", "text"],
  ["output", "text"],
  ["patch", "text"],
  ["payload", "text"],
  ["result", "text"],
  ["cont", "boolean"],
  ["bump", "int"],
] as const;

const ADVANCE_TASK = `
    status = CASE WHEN ${LAST} THEN 'succeeded' WHEN t.cancel_requested THEN 'cancelled' WHEN r.cont THEN 'running' ELSE 'pending' END,
    message = CASE WHEN ${LAST} THEN NULL WHEN t.cancel_requested THEN 'cancelled by request' ELSE t.message END,
    progress = CASE WHEN ${LAST} THEN 100 ELSE t.progress END,
    params = CASE WHEN r.patch IS NULL THEN t.params ELSE t.params || r.patch::jsonb END,
    payload = COALESCE(r.payload::jsonb, t.payload),
    result = COALESCE(r.result::jsonb, t.result),
    current_step = r.idx + 1,
    current_executor = (SELECT n.executor FROM steps n WHERE n.task_id = t.id AND n.idx = r.idx + 1),
    current_queue = (SELECT COALESCE(n.queue, t.queue) FROM steps n WHERE n.task_id = t.id AND n.idx = r.idx + 1),
    run_at = CASE WHEN NOT ${ENDS} AND NOT r.cont THEN r.now ELSE t.run_at END,
    ended_at = CASE WHEN ${ENDS} THEN r.now ELSE t.ended_at END,
    execution_ms = CASE WHEN ${ENDS} THEN ${msBetween("r.now", "t.started_at")} ELSE t.execution_ms END,
    locked_by = CASE WHEN ${CONTINUES} THEN t.locked_by END,
    lease_until = CASE WHEN ${CONTINUES} THEN t.lease_until END,
    lease_token = t.lease_token + r.bump,
    updated_at = r.now,${armCallbacks(ENDS)}`;

const ADVANCE_STEPS = `, done AS (
  UPDATE steps s SET status = u.step_status, message = u.step_message, output = COALESCE(u.output::jsonb, s.output),
    params_set = u.patch::jsonb, ${STEP_ENDED}
  FROM u WHERE s.task_id = u.id AND s.idx = u.idx
), next AS (
  UPDATE steps s SET status = 'running', attempts = s.attempts + 1, started_at = u.now, ended_at = NULL, message = NULL
  FROM u WHERE s.task_id = u.id AND s.idx = u.idx + 1 AND u.status = 'running'
)`;

// The step and the task end. Per move: step_status, step_message, task_status, task_message, bump.
const END_COLUMNS = [
  ["step_status", "text"],
  ["step_message", "text"],
  ["task_status", "text"],
  ["task_message", "text"],
  ["bump", "int"],
] as const;

const END_TASK = `
    status = r.task_status, message = r.task_message, ended_at = r.now,
    execution_ms = ${msBetween("r.now", "t.started_at")}, locked_by = NULL, lease_until = NULL,
    lease_token = t.lease_token + r.bump, updated_at = r.now,${armCallbacks("true")}`;

const END_STEPS = `, done AS (
  UPDATE steps s SET status = u.step_status, message = u.step_message, ${STEP_ENDED}
  FROM u WHERE s.task_id = u.id AND s.idx = u.idx
)`;

// The step waits (pending, message kept) and the task with it, lease released; a pending
// cancel request turns this into the task ending cancelled. Per move: message, run_at, bump.
const RETRY_COLUMNS = [
  ["message", "text"],
  ["run_at", "timestamptz"],
  ["bump", "int"],
] as const;

const C = `t.cancel_requested`;
const RETRY_TASK = `
    status = CASE WHEN ${C} THEN 'cancelled' ELSE 'pending' END,
    message = CASE WHEN ${C} THEN 'cancelled by request' ELSE r.message END,
    run_at = CASE WHEN ${C} THEN t.run_at ELSE r.run_at END,
    ended_at = CASE WHEN ${C} THEN r.now ELSE t.ended_at END,
    execution_ms = CASE WHEN ${C} THEN ${msBetween("r.now", "t.started_at")} ELSE t.execution_ms END,
    locked_by = NULL, lease_until = NULL, lease_token = t.lease_token + r.bump, updated_at = r.now,${armCallbacks(C)}`;

const RETRY_STEPS = `, done AS (
  UPDATE steps s SET status = CASE WHEN u.status = 'cancelled' THEN 'cancelled' ELSE 'pending' END, message = u.message, ${STEP_ENDED}
  FROM u WHERE s.task_id = u.id AND s.idx = u.idx
)`;

const SQL = {
  advance: { lease: moveSql("lease", ADVANCE_COLUMNS, ADVANCE_TASK, ADVANCE_STEPS), expired: moveSql("expired", ADVANCE_COLUMNS, ADVANCE_TASK, ADVANCE_STEPS) },
  end: { lease: moveSql("lease", END_COLUMNS, END_TASK, END_STEPS), expired: moveSql("expired", END_COLUMNS, END_TASK, END_STEPS) },
  retry: { lease: moveSql("lease", RETRY_COLUMNS, RETRY_TASK, RETRY_STEPS), expired: moveSql("expired", RETRY_COLUMNS, RETRY_TASK, RETRY_STEPS) },
};

/** Every move statement (advance, end, retry × both fences), for the plan checks of the tests. */
export function moveStatements(): string[] {
  return Object.values(SQL).flatMap((byFence) => Object.values(byFence));
}

/** What a done step hands to the task: JSON values, `undefined` keeps the stored one. */
export interface AdvanceMove extends MoveTarget {
  stepStatus: "succeeded" | "skipped";
  stepMessage: string | null;
  output?: unknown;
  paramsPatch?: Record<string, unknown> | null;
  taskPayload?: unknown;
  result?: unknown;
  continueNext: boolean;
  bumpToken: boolean;
}

/** A step and its task ending. */
export interface EndMove extends MoveTarget {
  stepStatus: string;
  stepMessage: string | null;
  taskStatus: TaskStatus;
  taskMessage: string | null;
  bumpToken: boolean;
}

/** A step sent back to wait for its retry at `runAt`. */
export interface RetryMove extends MoveTarget {
  message: string;
  runAt: Date;
  bumpToken: boolean;
}

const jsonOrNull = (value: unknown): string | null => (value === undefined ? null : toJsonText(value));

/** Column arrays of `moves`: the target's five, then `extra`'s, then the seven log arrays. */
function batchParams<M extends MoveTarget>(moves: readonly M[], extra: readonly ((m: M) => unknown)[]): unknown[] {
  const logs = moves.flatMap((m, i) => (m.logs ?? []).map((e) => ({ ref: i + 1, e })));
  return [
    moves.map((m) => m.taskId),
    moves.map((m) => m.token),
    moves.map((m) => m.nodeId),
    moves.map((m) => m.now),
    moves.map((m) => m.stepIndex),
    ...extra.map((pick) => moves.map(pick)),
    logs.map((l) => l.ref),
    logs.map((l) => l.e.stepIndex ?? null),
    logs.map((l) => l.e.attempt ?? null),
    logs.map((l) => l.e.at),
    logs.map((l) => l.e.level),
    logs.map((l) => l.e.message),
    logs.map((l) => (l.e.fields === null || l.e.fields === undefined ? null : toJsonText(l.e.fields))),
  ];
}

/** Task status after each move, in `moves` order; undefined where the fence missed. */
async function run(db: SqlRunner, sql: string, count: number, params: unknown[]): Promise<(TaskStatus | undefined)[]> {
  const out: (TaskStatus | undefined)[] = new Array(count).fill(undefined);
  for (const row of (await db.prepared<{ ord: number; status: TaskStatus }>(sql, params)).rows) out[Number(row.ord) - 1] = row.status;
  return out;
}

/** Runs advance moves (one statement for all of them). */
export function advanceChain(db: SqlRunner, fence: Fence, moves: readonly AdvanceMove[]): Promise<(TaskStatus | undefined)[]> {
  const params = batchParams(moves, [
    (m) => m.stepStatus,
    (m) => m.stepMessage,
    (m) => jsonOrNull(m.output),
    (m) => (m.paramsPatch && Object.keys(m.paramsPatch).length > 0 ? toJsonText(m.paramsPatch) : null),
    (m) => jsonOrNull(m.taskPayload),
    (m) => jsonOrNull(m.result),
    (m) => m.continueNext,
    (m) => (m.bumpToken ? 1 : 0),
  ]);
  return run(db, SQL.advance[fence], moves.length, params);
}

/** Runs end moves (step and task end with the given statuses). */
export function endTask(db: SqlRunner, fence: Fence, moves: readonly EndMove[]): Promise<(TaskStatus | undefined)[]> {
  const params = batchParams(moves, [(m) => m.stepStatus, (m) => m.stepMessage, (m) => m.taskStatus, (m) => m.taskMessage, (m) => (m.bumpToken ? 1 : 0)]);
  return run(db, SQL.end[fence], moves.length, params);
}

/** Runs retry moves (or cancels, where one was requested). */
export function retryLater(db: SqlRunner, fence: Fence, moves: readonly RetryMove[]): Promise<(TaskStatus | undefined)[]> {
  const params = batchParams(moves, [(m) => m.message, (m) => m.runAt, (m) => (m.bumpToken ? 1 : 0)]);
  return run(db, SQL.retry[fence], moves.length, params);
}
