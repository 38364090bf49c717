// Tasks in known states for HTTP tests, made through the Store port (as a worker would).
import type { Task } from "../../src/core/task.js";
import type { Store } from "../../src/store/store.js";
import { makeTask } from "./task-factory.js";

/** A pending two-step task of `tenant`. */
export async function seedPendingTask(store: Store, tenant: string): Promise<Task> {
  return (await store.createTask(makeTask({ tenant, steps: 2, now: new Date() }), "fail")).task;
}

let seeded = 0;

/** A two-step task of `tenant` whose first step failed (task `failed`), with one log line. */
export async function seedFailedTask(store: Store, tenant: string): Promise<Task> {
  const now = new Date();
  // A queue of its own, so the claim takes this task and no other pending one.
  const queue = `q-${tenant}-${++seeded}`;
  const created = (await store.createTask(makeTask({ tenant, steps: 2, queue, now }), "fail")).task;
  const [claimed] = await store.claimTasks({ nodeId: "test-node", queues: [queue], executors: ["noop"], limit: 1, leaseMs: 30_000, now });
  if (claimed === undefined || claimed.task.id !== created.id) throw new Error("seedFailedTask: the task was not claimed");
  await store.failStep(claimed.lease, {
    stepIndex: 0,
    stepStatus: "failed",
    message: "boom",
    then: { kind: "end", taskStatus: "failed" },
    now,
    logs: [{ taskId: created.id, stepIndex: 0, attempt: 1, at: now, level: "error", message: "it broke", fields: null }],
  });
  return (await store.getTask(created.id, null))!;
}
