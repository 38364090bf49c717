// `/api/v1/scheduler`: who leads the schedulers and how far behind it is, start/stop/restart of
// this process's scheduler, and the running tasks that schedules made.
import { InvalidTransitionError } from "../../core/errors.js";
import { defineRoute, type RouteSpec } from "../route-spec.js";
import { ref } from "../openapi-refs.js";
import { taskPageJson } from "../task-json.js";

/** The scheduler of the serving process, as the API may drive it. */
export interface SchedulerControl {
  /** This process's scheduler (`running` / `stopped` …, and whether it leads), or null when it never ran one. */
  local(): { state: string; role: "leader" | "follower" } | null;
  /** Starts a scheduler here; false when one is running already. */
  start(): boolean;
  /** Stops the scheduler here (its lease is released); false when none was running. */
  stop(): Promise<boolean>;
}

const RUNNING_LIMIT = 1000;

/** The scheduler routes; without `control` (an embedding app) start/stop/restart answer 409. */
export function schedulerRoutes(control: SchedulerControl | null): RouteSpec[] {
  const need = (): SchedulerControl => {
    if (control === null) throw new InvalidTransitionError("this server has no scheduler to control (it was built without one)");
    return control;
  };
  const status = { description: "the scheduler status", schema: ref("SchedulerStatus") };
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/scheduler",
      operationId: "getSchedulerStatus",
      summary: "The scheduler leader (cluster-wide), its last tick and lag, and this process's scheduler",
      tag: "scheduler",
      access: "viewer",
      response: status,
      handler: async ({ client }) => ({ ...(await client.schedulerStatus()), process: control?.local() ?? null }),
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/scheduler/start",
      operationId: "startScheduler",
      summary: "Start a scheduler in this process (409 when one runs); it leads once it holds the lease",
      tag: "scheduler",
      access: "admin",
      audit: "scheduler.start",
      response: status,
      handler: async ({ client }) => {
        if (!need().start()) throw new InvalidTransitionError("the scheduler of this process is already running");
        return { ...(await client.schedulerStatus()), process: control!.local() };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/scheduler/stop",
      operationId: "stopScheduler",
      summary: "Stop this process's scheduler (409 when none runs); another process takes the lead at once",
      tag: "scheduler",
      access: "admin",
      audit: "scheduler.stop",
      response: status,
      handler: async ({ client }) => {
        if (!(await need().stop())) throw new InvalidTransitionError("the scheduler of this process is not running");
        return { ...(await client.schedulerStatus()), process: control!.local() };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/scheduler/restart",
      operationId: "restartScheduler",
      summary: "Stop (if running) and start this process's scheduler",
      tag: "scheduler",
      access: "admin",
      audit: "scheduler.restart",
      response: status,
      handler: async ({ client }) => {
        const c = need();
        await c.stop();
        c.start();
        return { ...(await client.schedulerStatus()), process: c.local() };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/scheduler/running",
      operationId: "listScheduledRunning",
      summary: `Running tasks that a definition made (at most ${RUNNING_LIMIT}), newest first`,
      tag: "scheduler",
      access: "viewer",
      response: { description: "the tasks", schema: { type: "object", properties: { items: { type: "array", items: ref("Task") } }, required: ["items"] } },
      handler: async ({ client }) => {
        const page = await client.listTasks({ status: ["running"], limit: RUNNING_LIMIT });
        return taskPageJson({ items: page.items.filter((t) => t.definitionId !== null) });
      },
    }),
  ];
}
