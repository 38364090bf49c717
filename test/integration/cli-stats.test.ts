// `taskrail stats`: the statistics report on the store, for people and with --json; bad flags named.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createTaskrail } from "../../src/index.js";
import { runCli } from "../support/cli-runner.js";
import { tempSqliteUrl } from "../support/temp-sqlite.js";

const db = tempSqliteUrl("taskrail-cli-stats-");
const env = { TASKRAIL_DATABASE_URL: db.url };
after(() => db.cleanup());

interface StatsJson {
  counts: Record<string, number>;
  ended: { succeeded: number; failed: number; cancelled: number };
  successRate: number | null;
  buckets: unknown[];
  durations: Array<{ type: string; count: number }>;
  oldestWaiting: { type: string } | null;
}

async function stats(args: string[] = []): Promise<StatsJson> {
  const r = await runCli(["stats", "--json", ...args], { env });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as StatsJson;
}

test("stats counts tasks by status, reports the success rate and durations of the ones that ended", { timeout: 120_000 }, async () => {
  const empty = await stats();
  assert.equal(empty.successRate, null);
  assert.equal(empty.counts.pending, 0);

  // One task run to success by an in-test worker, one cancelled before any worker saw it.
  const tr = await createTaskrail({ db: db.url });
  try {
    tr.startWorker({ concurrency: 2 });
    const done = await tr.client.dispatch({ type: "report", steps: [{ name: "a", executor: "noop" }] });
    assert.equal((await tr.client.waitForTask(done.id, { timeoutMs: 30_000 })).status, "succeeded");
  } finally {
    await tr.close();
  }
  const cancelled = await runCli(["dispatch", "cleanup", "--step", "a=noop", "--json"], { env });
  assert.equal(cancelled.code, 0, cancelled.stderr);
  const id = (JSON.parse(cancelled.stdout) as { id: string }).id;
  assert.equal((await runCli(["cancel", id], { env })).code, 0);

  const report = await stats(["--window", "1h", "--buckets", "12"]);
  assert.equal(report.buckets.length, 12);
  assert.equal(report.counts.cancelled, 1);
  assert.equal(report.ended.cancelled, 1);
  assert.equal(report.counts.succeeded, 1);
  assert.equal(report.ended.succeeded, 1);
  assert.equal(report.successRate, 1, "cancelled tasks are left out of the success rate");
  assert.deepEqual(report.durations.map((d) => [d.type, d.count]), [["report", 1]]);

  const human = await runCli(["stats", "--window", "24h"], { env });
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /window 24h/);
  assert.match(human.stdout, /cancelled 1/);
  assert.match(human.stdout, /success rate 100\.0%/);
  assert.match(human.stdout, /report\s+1\s/);
});

test("stats names a bad --window or --buckets", { timeout: 60_000 }, async () => {
  const short = await runCli(["stats", "--window", "10s"], { env });
  assert.notEqual(short.code, 0);
  assert.match(short.stderr, /--window: must be at least 1m/);
  const notDuration = await runCli(["stats", "--window", "soon"], { env });
  assert.notEqual(notDuration.code, 0);
  assert.match(notDuration.stderr, /--window/);
  const buckets = await runCli(["stats", "--buckets", "x"], { env });
  assert.notEqual(buckets.code, 0);
  assert.match(buckets.stderr, /--buckets: must be a whole number/);
  const tooMany = await runCli(["stats", "--buckets", "501"], { env });
  assert.notEqual(tooMany.code, 0);
  assert.match(tooMany.stderr, /--buckets: must be between 1 and 500/);
});
