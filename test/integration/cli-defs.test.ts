// `taskrail defs …` and `taskrail scheduler status` end to end through the built CLI.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../support/cli-runner.js";
import { tempSqliteUrl } from "../support/temp-sqlite.js";

const db = tempSqliteUrl("taskrail-cli-defs-");
const env = { TASKRAIL_DATABASE_URL: db.url };
after(() => db.cleanup());

async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli(args, { env });
}

test("defs apply, show, trigger and history, with an idempotent re-apply", { timeout: 120_000 }, async () => {
  const applied = await cli(["defs", "apply", "-f", "examples/nightly-report.def.yaml", "--json"]);
  assert.equal(applied.code, 0, applied.stderr);
  const [first] = JSON.parse(applied.stdout) as { name: string; action: string; definition: { version: number } }[];
  assert.equal(first.name, "nightly-report");
  assert.equal(first.action, "created");

  const again = await cli(["defs", "apply", "-f", "examples/nightly-report.def.yaml"]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^unchanged\s+nightly-report/);

  const shown = await cli(["defs", "show", "nightly-report", "--json"]);
  assert.equal(shown.code, 0, shown.stderr);
  const def = JSON.parse(shown.stdout) as { id: string; nextFireTimes: string[]; enabled: boolean; schedule: { kind: string; timezone: string } };
  assert.equal(def.enabled, true);
  assert.equal(def.schedule.kind, "cron");
  assert.equal(def.nextFireTimes.length, 5);
  // 02:30 in Berlin is 01:30Z in winter (CET) and 00:30Z in summer (CEST).
  for (const t of def.nextFireTimes) assert.match(t, /T0[01]:30:00\.000Z$/);
  const human = await cli(["defs", "show", "nightly-report"]);
  assert.match(human.stdout, /next fires\n(  \d{4}-\d\d-\d\d 0[01]:30:00Z\n){5}/);

  const triggered = await cli(["defs", "trigger", "nightly-report", "--json"]);
  assert.equal(triggered.code, 0, triggered.stderr);
  const task = JSON.parse(triggered.stdout) as { id: string; status: string; definitionId: string; scheduledAt: string };
  assert.equal(task.status, "pending");
  assert.equal(task.definitionId, def.id);

  const history = await cli(["defs", "history", "nightly-report", "--json"]);
  assert.equal(history.code, 0, history.stderr);
  const page = JSON.parse(history.stdout) as { items: { id: string }[]; total: number };
  assert.equal(page.total, 1);
  assert.equal(page.items[0].id, task.id);

  const listed = await cli(["list", "--definition", "nightly-report"]);
  assert.match(listed.stdout, /DEFINITION\s+SCHEDULED/);
  assert.match(listed.stdout, new RegExp(`${task.id}.*nightly-report`));
  const showTask = await cli(["show", task.id]);
  assert.match(showTask.stdout, /definition nightly-report/);
  assert.match(showTask.stdout, /scheduled \d{4}-/);

  const disabled = await cli(["defs", "disable", "nightly-report"]);
  assert.equal(disabled.code, 0, disabled.stderr);
  const list = await cli(["defs", "list", "--json"]);
  assert.deepEqual((JSON.parse(list.stdout) as { items: { name: string; enabled: boolean }[] }).items.map((d) => [d.name, d.enabled]), [["nightly-report", false]]);
  // Re-applying the repository's file (no `enabled` in it) keeps the operator's disable.
  assert.match((await cli(["defs", "apply", "-f", "examples/nightly-report.def.yaml"])).stdout, /^unchanged/);

  const deleted = await cli(["defs", "delete", "nightly-report"]);
  assert.equal(deleted.code, 0, deleted.stderr);
  const gone = await cli(["defs", "show", "nightly-report"]);
  assert.equal(gone.code, 3);
  assert.match(gone.stderr, /DEFINITION_NOT_FOUND.*nightly-report/);
});

test("a bad cron expression or timezone is refused with the field named, and nothing is written", { timeout: 60_000 }, async () => {
  const dir = join(db.dir, "defs");
  mkdirSync(dir);
  writeFileSync(join(dir, "a-good.yaml"), "name: good\nschedule: { fixedRate: 1m }\ntask: { type: t, steps: [{ name: s, executor: noop }] }\n");
  writeFileSync(join(dir, "b-bad.yaml"), 'name: bad\nschedule: { cron: "0 25 * * *" }\ntask: { type: t, steps: [{ name: s, executor: noop }] }\n');
  writeFileSync(join(dir, "c-zone.json"), JSON.stringify({ name: "zone", schedule: { cron: "0 3 * * *", timezone: "Europe/Atlantis" }, task: { type: "t", steps: [{ name: "s", executor: "noop" }] } }));
  const r = await cli(["defs", "apply", "-f", dir]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /error \[VALIDATION_FAILED\]: invalid definition files in /);
  assert.match(r.stderr, /b-bad\.yaml: schedule\.cron: invalid cron expression "0 25 \* \* \*".*hour/);
  assert.match(r.stderr, /c-zone\.json: schedule\.timezone: unknown timezone "Europe\/Atlantis"/);
  const list = await cli(["defs", "list", "--json"]);
  assert.deepEqual((JSON.parse(list.stdout) as { items: unknown[] }).items, [], "the good file was not applied either");
});

test("scheduler status says when no scheduler has run", { timeout: 60_000 }, async () => {
  const r = await cli(["scheduler", "status", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { leader: null, lastTickAt: null, lagMs: null, lease: null });
});
