// `/api/v1/tasks`: dispatch, list, get, cancel, retry, skip, logs and progress; the same
// routes again under `/api/v1/tasks/instances` (the seeds' name for task runs).
import { isTerminalTaskStatus } from "../../core/status.js";
import type { Task } from "../../core/task.js";
import { taskSpecSchema } from "../../core/validation/task-spec.js";
import { taskQuerySchema } from "../../core/validation/task-query.js";
import { dispatchQuerySchema, idParamsSchema, logQuerySchema, retryInputSchema, skipInputSchema } from "../../core/validation/server-inputs.js";
import { streamTaskLogs } from "../log-stream.js";
import { defineRoute, type RouteSpec } from "../route-spec.js";
import { ref } from "../openapi-refs.js";
import { taskJson, taskPageJson } from "../task-json.js";

const TAG = "tasks";

/** A task as the API answers it: the stored task plus, while pending, why it waits. */
async function taskView(task: Task, waitingReason: (t: Task) => Promise<string | null>) {
  return taskJson({ ...task, waitingReason: task.status === "pending" ? await waitingReason(task) : null });
}

/** The task routes under `base` (`/api/v1/tasks` or `/api/v1/tasks/instances`); `idSuffix` keeps operationIds unique. */
export function taskRoutes(base: string, opSuffix: string): RouteSpec[] {
  const alias = opSuffix !== "" ? " (alias of the same route under /api/v1/tasks)" : "";
  const routes: RouteSpec[] = [
    defineRoute({
      method: "GET",
      url: base,
      operationId: `listTasks${opSuffix}`,
      summary: `List tasks, newest first${alias}`,
      description: "Filters combine with AND. `status` takes one value, a comma-separated list or a repeated parameter. Page with `limit` (1–1000, default 50) and the `nextCursor` of the previous page as `cursor`; `total` counts every match up to 10,000; past that it is 10,000 and `totalCapped` is true.",
      tag: TAG,
      access: "viewer",
      query: taskQuerySchema,
      response: { description: "a page of tasks", schema: ref("TaskPage") },
      handler: async ({ client, query }) => taskPageJson(await client.listTasks(query)),
    }),
    defineRoute({
      method: "GET",
      url: `${base}/:id`,
      operationId: `getTask${opSuffix}`,
      summary: `Get a task with its steps${alias}`,
      tag: TAG,
      access: "viewer",
      params: idParamsSchema,
      response: { description: "the task; `waitingReason` says why a pending task cannot run yet", schema: ref("Task") },
      handler: async ({ client, params }) => taskView(await client.getTask(params.id), (t) => client.waitingReason(t)),
    }),
    defineRoute({
      method: "POST",
      url: `${base}/:id/cancel`,
      operationId: `cancelTask${opSuffix}`,
      summary: `Cancel a task${alias}`,
      description: "A pending task ends `cancelled` at once; a running one gets `cancelRequested` and its worker stops the step within a heartbeat.",
      tag: TAG,
      access: "operator",
      params: idParamsSchema,
      audit: "task.cancel",
      response: { description: "the task after the request", schema: ref("Task") },
      handler: async ({ client, params }) => taskJson(await client.cancelTask(params.id)),
    }),
    defineRoute({
      method: "POST",
      url: `${base}/:id/retry`,
      operationId: `retryTask${opSuffix}`,
      summary: `Retry a failed, timed-out or cancelled task${alias}`,
      description: "Restarts from the failed step, or from the step named by `from`; earlier succeeded steps and the params they wrote are kept. The body may be empty.",
      tag: TAG,
      access: "operator",
      params: idParamsSchema,
      body: retryInputSchema,
      optionalBody: true,
      audit: "task.retry",
      response: { description: "the task, pending again", schema: ref("Task") },
      handler: async ({ client, params, body }) => taskJson(await client.retryTask(params.id, { fromStep: body.from })),
    }),
    defineRoute({
      method: "GET",
      url: `${base}/:id/logs`,
      operationId: `getTaskLogs${opSuffix}`,
      summary: `Read a task's log${alias}`,
      description:
        "Lines in id order after `afterId` (default 0), at most `limit` (default 500), optionally of one step (`step` = step index). With `follow=1` the answer is a `text/event-stream`: `event: log` per line (id = line id), then `event: end` once the task has ended; reconnect with `Last-Event-ID` to resume.",
      tag: TAG,
      access: "viewer",
      params: idParamsSchema,
      query: logQuerySchema,
      response: { description: "log lines and the cursor of the next page", schema: ref("LogPage") },
      handler: async ({ client, params, query, request, reply }) => {
        if (query.follow) {
          await streamTaskLogs(request, reply, client, params.id, { afterId: query.afterId, step: query.step });
          return undefined;
        }
        const limit = query.limit ?? 500;
        const items = await client.listLogs(params.id, { afterId: query.afterId, limit, stepIndex: query.step });
        return { items, nextAfterId: items.length === limit ? items[items.length - 1].id : null };
      },
    }),
  ];
  if (opSuffix !== "") return routes;
  // Routes only under /api/v1/tasks (DESIGN §8 lists the instances aliases as list, get, cancel, retry, logs).
  routes.push(
    defineRoute({
      method: "POST",
      url: base,
      operationId: "dispatchTask",
      summary: "Dispatch a task",
      description: "The body is a task file (DESIGN §8). The task is stored before the answer. An active task with the same `(type, indexType, index)` is answered instead (200, `created: false` semantics) unless `onDuplicate=fail` (409 DUPLICATE_TASK).",
      tag: TAG,
      access: "operator",
      query: dispatchQuerySchema,
      body: taskSpecSchema,
      bodyValidatedByHandler: true,
      audit: "task.dispatch",
      successStatus: 201,
      response: { description: "the stored task", schema: ref("Task") },
      handler: async ({ client, body, query, setAuditTarget }) => {
        const task = await client.dispatch(body as never, { onDuplicate: query.onDuplicate });
        setAuditTarget(task.id);
        return taskJson(task);
      },
    }),
    defineRoute({
      method: "POST",
      url: `${base}/:id/skip`,
      operationId: "skipStep",
      summary: "Skip a task's failed step and resume after it",
      tag: TAG,
      access: "operator",
      params: idParamsSchema,
      body: skipInputSchema,
      audit: "task.skip",
      response: { description: "the task after the skip", schema: ref("Task") },
      handler: async ({ client, params, body }) => taskJson(await client.skipStep(params.id, body.step)),
    }),
    defineRoute({
      method: "GET",
      url: `${base}/:id/progress`,
      operationId: "getTaskProgress",
      summary: "A task's progress: status, percent, message and each step's status",
      tag: TAG,
      access: "viewer",
      params: idParamsSchema,
      response: { description: "the progress view", schema: ref("TaskProgress") },
      handler: async ({ client, params }) => {
        const t = await client.getTask(params.id);
        return {
          id: t.id,
          status: t.status,
          ended: isTerminalTaskStatus(t.status),
          progress: t.progress,
          progressMessage: t.progressMessage,
          message: t.message,
          currentStep: t.currentStep,
          steps: t.steps.map((s) => ({ name: s.name, alias: s.alias, status: s.status, attempts: s.attempts, message: s.message })),
          updatedAt: t.updatedAt,
        };
      },
    }),
  );
  return routes;
}
