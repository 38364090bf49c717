import { test } from "node:test";
import assert from "node:assert/strict";
import { createTaskrail } from "../../src/runtime/taskrail.js";
import type { StepContext } from "../../src/core/step-context.js";
import type { TaskrailEvents } from "../../src/core/events.js";
import { task } from "../../src/client/task-builder.js";
import { FAST_WORKER, openTestEngine } from "../support/engine.js";
import { tempSqliteUrl } from "../support/temp-sqlite.js";

test("a worker runs only the queues it serves, and node:<name> pins a task to one node", async () => {
  const db = tempSqliteUrl();
  const ranOn: Record<string, string> = {};
  const make = (node: string) =>
    createTaskrail({ db: db.url, executors: { where: (ctx: StepContext) => void (ranOn[ctx.task.name ?? ""] = node) } });
  const a = await make("a");
  const b = await make("b");
  try {
    a.startWorker({ ...FAST_WORKER, nodeName: "a", queues: ["default"] });
    const pinned = await a.client.dispatch(task("pin").name("pinned").queue("node:b").step("s", "where"));
    const other = await a.client.dispatch(task("q").name("other-queue").queue("reports").step("s", "where"));
    const plain = await a.client.dispatch(task("q").name("plain").step("s", "where"));
    await a.client.waitForTask(plain.id, { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await a.client.getTask(pinned.id)).status, "pending", "a pinned task waits for its node");
    assert.equal((await a.client.getTask(other.id)).status, "pending", "a queue nobody serves waits");
    b.startWorker({ ...FAST_WORKER, nodeName: "b", queues: ["reports"] });
    await a.client.waitForTask(pinned.id, { timeoutMs: 5000 });
    await a.client.waitForTask(other.id, { timeoutMs: 5000 });
    assert.deepEqual(ranOn, { plain: "a", pinned: "b", "other-queue": "b" });
  } finally {
    await a.close();
    await b.close();
    db.cleanup();
  }
});

test("a step whose queue another node serves hands the task over between steps", async () => {
  const db = tempSqliteUrl();
  const ranOn: string[] = [];
  const make = (node: string) => createTaskrail({ db: db.url, executors: { where: (ctx: StepContext) => void ranOn.push(`${ctx.step.name}@${node}`) } });
  const a = await make("a");
  const b = await make("b");
  try {
    a.startWorker({ ...FAST_WORKER, nodeName: "a" });
    b.startWorker({ ...FAST_WORKER, nodeName: "b", queues: ["gpu"] });
    const t = await a.client.dispatch(task("handover").step("prepare", "where").step("train", "where", { queue: "gpu" }).step("report", "where"));
    const done = await a.client.waitForTask(t.id, { timeoutMs: 5000 });
    assert.equal(done.status, "succeeded");
    assert.deepEqual(ranOn, ["prepare@a", "train@b", "report@a"]);
  } finally {
    await a.close();
    await b.close();
    db.cleanup();
  }
});

test("graceful shutdown lets a short step finish and releases a long one for another worker at once", async () => {
  const db = tempSqliteUrl();
  const events: TaskrailEvents["step:started"][] = [];
  const first = await createTaskrail({
    db: db.url,
    executors: {
      quick: () => new Promise((r) => setTimeout(() => r("quick done"), 50)),
      long: (ctx: StepContext) => new Promise((_r, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason))),
    },
  });
  const second = await createTaskrail({ db: db.url, executors: { quick: () => "again", long: () => "finished elsewhere" } });
  try {
    const w1 = first.startWorker({ ...FAST_WORKER, nodeName: "first", lease: 60_000, heartbeat: 1000 });
    first.events.on("step:started", (e) => events.push(e));
    const quick = await first.client.dispatch(task("quick").step("s", "quick"));
    const long = await first.client.dispatch(task("long").step("s", "long", { tries: 1 }));
    await first.client.waitForTask(long.id, { until: ["running"], timeoutMs: 5000 });
    await first.client.waitForTask(quick.id, { until: ["running", "succeeded"], timeoutMs: 5000 });
    await w1.stop({ deadlineMs: 300 });
    assert.equal((await first.client.getTask(quick.id)).status, "succeeded", "the in-flight quick step finished");
    const released = await first.client.getTask(long.id);
    assert.equal(released.status, "pending", "the long step was released, not left running");
    assert.equal(released.steps[0].attempts, 0, "the interrupted try is not counted");
    assert.equal(released.lockedBy, null);
    // Another worker takes it at once, without waiting for the 60 s lease to expire.
    second.startWorker({ ...FAST_WORKER, nodeName: "second" });
    const done = await second.client.waitForTask(long.id, { timeoutMs: 5000 });
    assert.equal(done.status, "succeeded");
    assert.equal(done.result, "finished elsewhere");
  } finally {
    await first.close();
    await second.close();
    db.cleanup();
  }
});

test("the seeds' builder shape (task info, steps, finalize) dispatches like a task file", async () => {
  const engine = await openTestEngine({ executors: { add: (ctx: StepContext) => ({ sum: Number(ctx.params.a) + Number(ctx.params.b) }) } });
  try {
    engine.tr.startWorker(FAST_WORKER);
    const t = await engine.tr.client.dispatch({
      taskInfo: () => ({ type: "hello", index: "1", indexType: "hello_batch", creator: "seed" }),
      steps: () => [{ name: "add-task", executor: "add", alias: "add", params: { a: 10, b: 20 }, timeout: "10s", tries: 4 }],
      finalizeTask: (spec) => ({ ...spec, payload: { common: true } }),
    });
    assert.equal(t.creator, "seed");
    assert.deepEqual(t.payload, { common: true });
    const done = await engine.tr.client.waitForTask(t.id, { timeoutMs: 5000 });
    assert.deepEqual(done.result, { sum: 30 });
    const page = await engine.tr.client.listTasks({ index: "1", type: "hello" });
    assert.deepEqual(page.items.map((x) => x.id), [t.id]);
    assert.equal(page.total, 1);
  } finally {
    await engine.dispose();
  }
});

test("typed events report a task's life and a throwing listener breaks nothing", async () => {
  const engine = await openTestEngine({ executors: { ok: () => 1 } });
  try {
    const seen: string[] = [];
    const { client } = engine.tr;
    client.on("task:dispatched", () => {
      throw new Error("listener bug");
    });
    client.on("task:dispatched", (e) => seen.push(`dispatched:${e.type}`));
    client.on("step:started", (e) => seen.push(`started:${e.step}#${e.attempt}`));
    client.on("step:succeeded", (e) => seen.push(`succeeded:${e.step}`));
    client.on("task:ended", (e) => seen.push(`ended:${e.status}`));
    engine.tr.startWorker(FAST_WORKER);
    const t = await client.dispatch(task("evt").step("one", "ok").step("two", "ok"));
    await client.waitForTask(t.id, { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(seen, ["dispatched:evt", "started:one#1", "succeeded:one", "started:two#1", "succeeded:two", "ended:succeeded"]);
  } finally {
    await engine.dispose();
  }
});
