// Three scheduler processes on one PostgreSQL schema with every-second definitions; the leader
// is SIGKILLed twice. No fire time is ever created twice, and every second of the run is
// either a task or a misfire recorded by the definition's policy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createTaskrail, type Taskrail } from "../../src/runtime/taskrail.js";
import { CLI, ROOT } from "../support/cli-runner.js";
import { createPostgresSchemaHarness, postgresUrl, requirePostgres } from "../support/postgres.js";
import { killAll, until } from "../support/worker-processes.js";

const task = { type: "tick", steps: [{ name: "s", executor: "noop" }] };

/** Starts `taskrail scheduler` and resolves once it said it started. */
function startScheduler(url: string, name: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    // A 2 s lease and a 1 s misfire grace: a takeover (about one lease) makes real misfires.
    [CLI, "scheduler", "--node-name", name, "--lease", "2s", "--tick-interval", "100ms", "--misfire-grace", "1s", "--log-level", "warn"],
    { cwd: ROOT, env: { ...process.env, TASKRAIL_DATABASE_URL: url }, stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("started")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`scheduler ${name} exited with ${code} before starting: ${out}`)));
  });
}

async function leaderName(tr: Taskrail): Promise<string | null> {
  return (await tr.client.schedulerStatus()).leader?.nodeName ?? null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (await requirePostgres()) {
  test("three schedulers, the leader SIGKILLed twice: no fire twice, none missed beyond the misfire policy", { timeout: 180_000 }, async () => {
    const schema = createPostgresSchemaHarness("sched_cluster");
    const url = `${postgresUrl()}?schema=${schema.schema}`;
    const tr = await createTaskrail({ db: await schema.open() });
    const children = new Map<string, ChildProcess>();
    try {
      for (const [name, misfire] of [["every-second-all", { policy: "fireAll", max: 100 }], ["every-second-once", "fireOnce"], ["every-second-skip", "skip"]] as const) {
        await tr.client.createDefinition({ name, schedule: { fixedRate: "1s", misfire }, task });
      }
      await tr.client.createDefinition({ name: "cron-second", schedule: { cron: "* * * * * *", misfire: "fireOnce" }, task });
      for (const name of ["s1", "s2", "s3"]) children.set(name, await startScheduler(url, name));

      const terms: string[] = [];
      for (let kill = 0; kill < 2; kill++) {
        await until(async () => (await leaderName(tr)) !== null, 30_000, "a leader");
        await sleep(3000);
        const leader = (await leaderName(tr))!;
        terms.push(leader);
        const victim = children.get(leader)!;
        victim.kill("SIGKILL");
        await new Promise((r) => victim.once("exit", r));
        children.delete(leader);
        await until(async () => {
          const now = await leaderName(tr);
          return now !== null && now !== leader;
        }, 30_000, `a new leader after ${leader} was killed`);
      }
      await sleep(3000);
      terms.push((await leaderName(tr))!);
      assert.equal(new Set(terms).size, 3, `three different leaders: ${terms.join(", ")}`);
      // Stop the survivor cleanly, then check every definition's record of the run.
      const [survivor] = children.values();
      survivor.kill("SIGTERM");
      await new Promise((r) => survivor.once("exit", r));
      children.clear();

      for (const name of ["every-second-all", "every-second-once", "every-second-skip", "cron-second"]) {
        const def = await tr.client.getDefinition(name);
        const tasks = (await tr.client.definitionHistory(name, { limit: 1000 })).items;
        const times = tasks.map((t) => t.scheduledAt!.getTime()).sort((a, b) => a - b);
        assert.equal(new Set(times).size, times.length, `${name}: a fire time was created twice`);
        assert.ok(times.length >= 8, `${name}: fired ${times.length} times`);
        assert.ok(times.every((t) => t % 1000 === times[0] % 1000), `${name}: fire times stay on the schedule's phase`);
        // Every second from the definition's first planned fire (made, or missed while the
        // schedulers started) to its next planned one is a task or a recorded misfire.
        const skips = await tr.store.listSkippedFires(def.id, 1000);
        const missed = skips.filter((s) => s.reason === "misfire").reduce((n, s) => n + s.count, 0);
        const start = Math.min(times[0], ...skips.map((s) => s.scheduledAt.getTime()));
        const seconds = (def.nextFireAt!.getTime() - start) / 1000;
        assert.equal(times.length + missed, seconds, `${name}: ${times.length} fired + ${missed} recorded misfires over ${seconds} seconds`);
        if (name === "every-second-all") assert.equal(missed, 0, "fireAll makes up every missed second");
      }
    } finally {
      killAll([...children.values()]);
      await tr.close();
      await schema.cleanup();
    }
  });
}
