import { test } from "node:test";
import assert from "node:assert/strict";
import { createTaskrail } from "../../src/runtime/taskrail.js";
import { openStore } from "../../src/store/open-store.js";
import type { StepContext } from "../../src/core/step-context.js";
import { task } from "../../src/client/task-builder.js";
import { tempSqliteUrl } from "../support/temp-sqlite.js";

/** Blocks the event loop (no timers, no heartbeats) for `ms`, like a CPU-bound stall. */
function blockEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** What every try after the stalled one does. */
function replacement(ctx: StepContext): { by: string } {
  ctx.setParam("writer", "replacement");
  return { by: "replacement" };
}

test("a worker whose lease expired while its executor ran cannot record success, failure, progress, params or logs", async () => {
  const db = tempSqliteUrl();
  let releaseStale!: () => void;
  const staleMayFinish = new Promise<void>((r) => (releaseStale = r));
  const stale = await createTaskrail({
    db: db.url,
    executors: {
      job: async (ctx: StepContext) => {
        if (ctx.attempt > 1) return replacement(ctx); // this process may win the re-claim too
        blockEventLoop(700); // longer than the 300 ms lease: heartbeats cannot run
        ctx.progress(77, "stale progress");
        ctx.setParam("writer", "stale");
        ctx.log.info("stale line");
        await staleMayFinish; // the fresh worker takes over meanwhile
        return { by: "stale" };
      },
    },
  });
  const fresh = await createTaskrail({
    db: db.url,
    executors: {
      job: replacement,
    },
  });
  try {
    const timings = { lease: 300, heartbeat: 100, pollInterval: 30, sweepInterval: 50, abortGrace: 100, progressInterval: 0 };
    const t = await stale.client.dispatch(task("fenced").step("only", "job", { tries: 3 }));
    const staleWorker = stale.startWorker({ ...timings, nodeName: "stale" });
    await stale.client.waitForTask(t.id, { until: ["running"], timeoutMs: 5000 });
    // Let the stale executor block; then start the fresh worker that recovers the expired lease.
    await new Promise((r) => setTimeout(r, 50));
    const freshWorker = fresh.startWorker({ ...timings, nodeName: "fresh" });
    const done = await fresh.client.waitForTask(t.id, { timeoutMs: 10_000 });
    releaseStale();
    await new Promise((r) => setTimeout(r, 300));
    await staleWorker.stop({ deadlineMs: 500 });
    await freshWorker.stop({ deadlineMs: 500 });

    const final = await fresh.client.getTask(t.id);
    assert.equal(done.status, "succeeded");
    assert.deepEqual(final.result, { by: "replacement" }, "only the run that replaced it recorded success");
    assert.equal(final.params.writer, "replacement", "the stale run's setParam never landed");
    assert.equal(final.steps[0].attempts, 2, "the expired try counted");
    assert.notEqual(final.progressMessage, "stale progress", "the stale progress was refused");
    const logs = await fresh.client.listLogs(t.id);
    assert.ok(!logs.some((l) => l.message === "stale line"), "the stale log line was refused");
    assert.ok(logs.some((l) => /lease expired/.test(l.message)), "the recovery is in the task log");
    assert.ok(staleWorker.stats.refusedWrites + staleWorker.stats.leasesLost >= 1, "the stale worker counted its refusal");
  } finally {
    await stale.close();
    await fresh.close();
    db.cleanup();
  }
});

test("a write with a stale lease token is refused by the store and changes nothing", async () => {
  const db = tempSqliteUrl();
  const tr = await createTaskrail({ db: db.url, executors: { job: () => null } });
  const store = await openStore(db.url);
  try {
    const t = await tr.client.dispatch(task("fence").step("a", "job", { tries: 2 }));
    const now = new Date();
    const [claimed] = await store.claimTasks({ nodeId: "n1", queues: ["default"], executors: ["job"], limit: 1, leaseMs: 10, now });
    // The lease expires and is recovered: the token moves on.
    const later = new Date(now.getTime() + 50);
    await store.recoverExpiredLeases(later, 10);
    const res = await store.completeStep(claimed.lease, { stepIndex: 0, output: { stale: true }, paramsPatch: { x: 1 }, continueNext: false, now: later });
    assert.deepEqual(res, { ok: false, reason: "lease_lost" });
    assert.equal(await store.updateProgress(claimed.lease, 50, "stale", later), false);
    const after = await tr.client.getTask(t.id);
    assert.equal(after.status, "pending");
    assert.deepEqual(after.params, {});
    assert.equal(after.progress, 0);
  } finally {
    await store.close();
    await tr.close();
    db.cleanup();
  }
});
