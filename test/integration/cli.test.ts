// The built `taskrail` binary end to end: a real worker child process (examples/executors.js)
// and CLI commands against one temp SQLite file, checking output shapes and exit codes.
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { tempSqliteUrl } from "../support/temp-sqlite.js";

import { CLI, ROOT, RUN_TIMEOUT_MS, runCli, type RunResult } from "../support/cli-runner.js";

/** Any task JSON the CLI prints; only the fields these tests read are typed. */
interface TaskJson {
  id: string;
  type: string;
  status: string;
  index: string | null;
  params: Record<string, unknown>;
  result: unknown;
  message: string | null;
  cancelRequested: boolean;
  createdAt: string;
  steps: { name: string; executor: string; status: string; attempts: number; maxTries: number; message: string | null; output: unknown }[];
}

const db = tempSqliteUrl("taskrail-cli-");
let worker: ChildProcessWithoutNullStreams | null = null;
let workerStderr = "";

/** Runs the built CLI against the test database. */
function run(args: string[], options: { cwd?: string } = {}): Promise<RunResult> {
  return runCli(args, { cwd: options.cwd, env: { TASKRAIL_DATABASE_URL: db.url, TASKRAIL_SHELL_ALLOW: "" } });
}

/** Runs the CLI and parses its stdout as one JSON document. */
async function runJson<T = TaskJson>(args: string[]): Promise<{ code: number | null; doc: T; stderr: string }> {
  const r = await run(args);
  let doc: T;
  try {
    doc = JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout of taskrail ${args.join(" ")} is not one JSON document (exit ${r.code}):\n${r.stdout}\nstderr: ${r.stderr}`);
  }
  return { code: r.code, doc, stderr: r.stderr };
}

/** Reads the task until `done` holds (the worker is another process). */
async function waitForTask(id: string, done: (t: TaskJson) => boolean, what: string): Promise<TaskJson> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  for (;;) {
    const { doc } = await runJson(["show", id, "--json"]);
    if (done(doc)) return doc;
    if (Date.now() > deadline) throw new Error(`task ${id} never became ${what}; last seen ${doc.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function step(task: TaskJson, name: string): TaskJson["steps"][number] {
  const found = task.steps.find((s) => s.name === name);
  assert.ok(found, `task ${task.id} has a step ${name}`);
  return found;
}

function startWorker(): Promise<ChildProcessWithoutNullStreams> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "worker", "--executors", "examples/executors.js", "--log-level", "warn", "--node-name", "cli-test"], {
      cwd: ROOT,
      env: { ...process.env, TASKRAIL_DATABASE_URL: db.url },
    });
    let stdout = "";
    const timer = setTimeout(() => reject(new Error(`worker did not start\nstdout: ${stdout}\nstderr: ${workerStderr}`)), RUN_TIMEOUT_MS);
    child.stderr.on("data", (d: Buffer) => (workerStderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes("started")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited early with ${code}\nstdout: ${stdout}\nstderr: ${workerStderr}`));
    });
  });
}

/** Resolves with the exit code once the process has exited. */
function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

describe("taskrail CLI", () => {
  before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: build first (npm test builds)`);
    worker = await startWorker();
  });

  after(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      worker.kill("SIGKILL");
      await exited(worker);
    }
    db.cleanup();
  });

  test("--help on the program and on every command exits 0 with a description and examples", async () => {
    const commands = [["--help"], ...["worker", "dispatch", "send", "list", "show", "cancel", "retry", "skip", "logs", "start-demo"].map((c) => [c, "--help"])];
    const results = await Promise.all(commands.map((args) => run(args)));
    for (const [i, args] of commands.entries()) {
      const r = results[i];
      assert.equal(r.code, 0, `taskrail ${args.join(" ")} exits 0`);
      assert.match(r.stdout, /^Usage: taskrail/m, `taskrail ${args.join(" ")} prints usage`);
      assert.match(r.stdout, /Examples:/, `taskrail ${args.join(" ")} shows examples`);
      assert.match(r.stdout, /--db <URL>/, `taskrail ${args.join(" ")} shows the global --db option`);
    }
  });

  test("--version prints the version of package.json", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const r = await run(["--version"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  test("an unknown command or flag is a usage error with exit code 2", async () => {
    const cmd = await run(["frobnicate"]);
    assert.equal(cmd.code, 2);
    assert.match(cmd.stderr, /unknown command 'frobnicate'/);
    const flag = await run(["list", "--frobnicate"]);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown option '--frobnicate'/);
  });

  test("dispatch from flags with --wait runs the task and prints it as JSON", async () => {
    const { code, doc } = await runJson(["dispatch", "adder", "--step", "add=add", "--param", "a=1", "--param", "b=2", "--param", 'meta={"x":1}', "--param", "label=hi there", "--wait", "--json"]);
    assert.equal(code, 0);
    assert.equal(doc.type, "adder");
    assert.equal(doc.status, "succeeded");
    assert.deepEqual(doc.result, { sum: 3 });
    assert.equal(doc.params.sum, 3);
    assert.deepEqual(doc.params.meta, { x: 1 }, "a --param value that parses as JSON is JSON");
    assert.equal(doc.params.label, "hi there", "a --param value that is not JSON stays a string");
    assert.deepEqual(doc.steps.map((s) => [s.name, s.executor, s.status, s.attempts]), [["add", "add", "succeeded", 1]]);
    assert.match(doc.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, "dates are ISO strings");
  });

  test("dispatch of the hello example adds a and b and shares the sum with the next step", async () => {
    const { code, doc } = await runJson(["dispatch", "-f", "examples/hello.task.yaml", "--param", "a=10", "--param", "b=20", "--wait", "--json"]);
    assert.equal(code, 0);
    assert.equal(doc.type, "hello");
    assert.equal(doc.index, "1");
    assert.equal(doc.status, "succeeded");
    assert.deepEqual(step(doc, "add-task").output, { sum: 30 });
    assert.equal(step(doc, "add-task").maxTries, 4);
    assert.deepEqual(doc.result, { sum: 42 }, "add-more renders {{ steps.add-task.output.sum }} and adds 12");
  });

  test("dispatch without --json prints the new task's id and a hint to follow it", async () => {
    const r = await run(["dispatch", "later", "--step", "a=noop", "--run-at", "+1h"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^dispatched task \S+ \(later, 1 step, queue default\)$/m);
    assert.match(r.stdout, /taskrail show \S+ --follow/);
  });

  test("the deploy example retries its flaky step and succeeds", async () => {
    const { code, doc } = await runJson(["dispatch", "-f", "examples/deploy.task.yaml", "--wait", "--json"]);
    assert.equal(code, 0);
    assert.equal(doc.status, "succeeded");
    assert.deepEqual(doc.steps.map((s) => s.status), ["succeeded", "succeeded", "succeeded", "succeeded", "succeeded"]);
    assert.equal(step(doc, "flaky-deploy").attempts, 3, "fails twice, succeeds on the third try");
    assert.equal(doc.params.artifactUrl, "file:///var/cache/artifacts/shop-1.4.2.tgz", "setParam shares values with later steps");
    assert.equal((doc.result as { message: string }).message, "shop 1.4.2 is live on staging (schema v7)");
  });

  test("a failed deploy can be retried from an earlier step, then its failed step skipped", async () => {
    const failed = await runJson(["dispatch", "-f", "examples/deploy.task.yaml", "--param", "failTimes=5", "--wait", "--json"]);
    assert.equal(failed.code, 1, "--wait exits non-zero when the task fails");
    const id = failed.doc.id;
    assert.equal(failed.doc.status, "failed");
    assert.equal(step(failed.doc, "flaky-deploy").status, "failed");
    assert.equal(step(failed.doc, "flaky-deploy").attempts, 3);
    assert.match(failed.doc.message ?? "", /failed on try 3/);
    assert.equal(step(failed.doc, "health-check").status, "pending", "steps after a failed one never start");

    const noStep = await run(["retry", id, "--from", "no-such-step"]);
    assert.equal(noStep.code, 3);
    assert.match(noStep.stderr, /STEP_NOT_FOUND/);

    const retried = await runJson(["retry", id, "--from", "migrate", "--json"]);
    assert.equal(retried.code, 0);
    assert.equal(retried.doc.status, "pending");
    assert.deepEqual(
      retried.doc.steps.map((s) => [s.name, s.status, s.attempts]),
      [["fetch", "succeeded", 1], ["migrate", "pending", 0], ["flaky-deploy", "pending", 0], ["health-check", "pending", 0], ["notify", "pending", 0]],
    );

    const followed = await runJson(["show", id, "--follow", "--json"]);
    assert.equal(followed.code, 1, "--follow exits non-zero when the task fails again");
    assert.equal(followed.doc.status, "failed");
    assert.equal(step(followed.doc, "migrate").attempts, 1, "migrate ran again");

    const skipped = await runJson(["skip", id, "flaky-deploy", "--json"]);
    assert.equal(skipped.code, 0);
    assert.equal(step(skipped.doc, "flaky-deploy").status, "skipped");
    assert.equal(skipped.doc.status, "pending");

    const done = await run(["show", id, "--follow"]);
    assert.equal(done.code, 0, "--follow exits 0 once the task succeeds");
    assert.match(done.stdout, /succeeded 100%/, "without a TTY, --follow prints a line per change");
    const final = await runJson(["show", id, "--json"]);
    assert.deepEqual(final.doc.steps.map((s) => s.status), ["succeeded", "succeeded", "skipped", "succeeded", "succeeded"]);

    const again = await run(["skip", id, "flaky-deploy"]);
    assert.equal(again.code, 4);
    assert.match(again.stderr, /^error \[INVALID_TRANSITION\]: /m);
    const retryDone = await runJson(["retry", id, "--json"]);
    assert.equal(retryDone.code, 4, "a succeeded task cannot be retried");
    assert.deepEqual(Object.keys(retryDone.doc), ["error"]);
  });

  test("logs prints each line as time level [step#attempt] message fields, or one JSON array", async () => {
    const { doc: task } = await runJson(["dispatch", "-f", "examples/hello.task.yaml", "--param", "a=2", "--param", "b=3", "--wait", "--json"]);
    const human = await run(["logs", task.id]);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^\d{4}-\d{2}-\d{2}T\S+Z info  \[add-task#1\] adding a=2 b=3 sum=5$/m);
    const json = await runJson<{ step: string | null; attempt: number | null; level: string; message: string; fields: Record<string, unknown> }[]>(["logs", task.id, "--json"]);
    assert.equal(json.code, 0);
    const line = json.doc.find((l) => l.step === "add-task" && l.message === "adding");
    assert.ok(line, "the add executor's log line is there");
    assert.deepEqual(line.fields, { a: 2, b: 3, sum: 5 });
    const followed = await run(["logs", task.id, "--follow"]);
    assert.equal(followed.code, 0, "--follow ends once the task has ended and no lines remain");
    assert.equal(followed.stdout, human.stdout);
  });

  test("cancel cancels a pending task at once and refuses an ended one", async () => {
    const { doc: pending } = await runJson(["dispatch", "later", "--step", "a=noop", "--run-at", "+1h", "--json"]);
    assert.equal(pending.status, "pending");
    const cancelled = await runJson(["cancel", pending.id, "--json"]);
    assert.equal(cancelled.code, 0);
    assert.equal(cancelled.doc.status, "cancelled");
    const again = await runJson<{ error: { code: string; message: string } }>(["cancel", pending.id, "--json"]);
    assert.equal(again.code, 4);
    assert.equal(again.doc.error.code, "INVALID_TRANSITION");
    assert.match(again.stderr, /^error \[INVALID_TRANSITION\]: /m);
  });

  test("cancel asks a running task to stop and its worker ends it cancelled", async () => {
    const { doc } = await runJson(["dispatch", "nap", "--step", "nap=sleep", "--param", "ms=600000", "--json"]);
    await waitForTask(doc.id, (t) => t.status === "running", "running");
    const requested = await runJson(["cancel", doc.id, "--json"]);
    assert.equal(requested.code, 0);
    assert.equal(requested.doc.cancelRequested, true);
    const followed = await runJson(["show", doc.id, "--follow", "--json"]);
    assert.equal(followed.code, 1, "a cancelled task is not a success");
    assert.equal(followed.doc.status, "cancelled");
  });

  test("an unknown task id is TASK_NOT_FOUND with exit code 3 on every command", async () => {
    for (const args of [["show", "nope"], ["cancel", "nope"], ["retry", "nope"], ["skip", "nope", "x"], ["logs", "nope"]]) {
      const r = await run(args);
      assert.equal(r.code, 3, `taskrail ${args.join(" ")} exits 3`);
      assert.match(r.stderr, /^error \[TASK_NOT_FOUND\]: task nope not found$/m);
      const j = await runJson<{ error: { code: string; message: string } }>([...args, "--json"]);
      assert.deepEqual(j.doc, { error: { code: "TASK_NOT_FOUND", message: "task nope not found" } });
    }
  });

  test("a --param without = is a usage error naming --param, and nothing is dispatched", async () => {
    const r = await run(["dispatch", "badparam", "--step", "a=noop", "--param", "x"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /VALIDATION_FAILED/);
    assert.match(r.stderr, /--param: expected K=V, got "x"/);
    const empty = await run(["dispatch", "badparam", "--step", "a=noop", "--param", "=1"]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /--param: .*non-empty K/);
    const { doc } = await runJson<{ total: number }>(["list", "--type", "badparam", "--json"]);
    assert.equal(doc.total, 0);
  });

  test("a task file with a bad duration or an unknown field is refused naming each field", async () => {
    const file = join(db.dir, "bad.task.yaml");
    writeFileSync(file, ["type: badfile", "steps:", "  - name: a", "    executor: noop", "    timeout: 10 parsecs", "    retries: 3", ""].join("\n"));
    const r = await run(["dispatch", "-f", file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error \[VALIDATION_FAILED\]: invalid task from .*bad\.task\.yaml$/m);
    assert.match(r.stderr, /^ {2}steps\.0\.timeout: must be a duration .*"10 parsecs"/m);
    assert.match(r.stderr, /^ {2}steps\.0: unknown field\(s\) "retries"/m);
    const j = await runJson<{ error: { code: string; fields: { path: string; message: string }[] } }>(["dispatch", "-f", file, "--json"]);
    assert.equal(j.doc.error.code, "VALIDATION_FAILED");
    assert.deepEqual(j.doc.error.fields.map((f) => f.path).sort(), ["steps.0", "steps.0.timeout"]);
    const { doc } = await runJson<{ total: number }>(["list", "--type", "badfile", "--json"]);
    assert.equal(doc.total, 0);
  });

  test("a task file in JSON is read too, and <type> overrides its type", async () => {
    const file = join(db.dir, "nap.task.json");
    writeFileSync(file, JSON.stringify({ type: "from-file", steps: [{ name: "n", executor: "noop" }] }));
    const { code, doc } = await runJson(["dispatch", "overridden", "-f", file, "--wait", "--json"]);
    assert.equal(code, 0);
    assert.equal(doc.type, "overridden");
    assert.equal(doc.status, "succeeded");
  });

  test("--on-duplicate fail refuses a second active task with the same index", async () => {
    const first = await runJson(["dispatch", "dedupe", "--step", "a=noop", "--index", "k1", "--run-at", "+1h", "--json"]);
    const same = await runJson(["dispatch", "dedupe", "--step", "a=noop", "--index", "k1", "--run-at", "+1h", "--json"]);
    assert.equal(same.code, 0);
    assert.equal(same.doc.id, first.doc.id, "by default the active task is returned");
    const refused = await run(["dispatch", "dedupe", "--step", "a=noop", "--index", "k1", "--on-duplicate", "fail"]);
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /DUPLICATE_TASK/);
  });

  test("list --json prints items, total, totalCapped and nextCursor, filtered and paged", async () => {
    for (let i = 0; i < 3; i++) await run(["dispatch", "listed", "--step", "a=noop", "--run-at", "+1h"]);
    const all = await runJson<{ items: TaskJson[]; total: number; totalCapped: boolean; nextCursor: string | null }>(["list", "--type", "listed", "--json"]);
    assert.equal(all.code, 0);
    assert.deepEqual(Object.keys(all.doc).sort(), ["items", "nextCursor", "total", "totalCapped"]);
    assert.equal(all.doc.total, 3);
    assert.equal(all.doc.totalCapped, false);
    assert.equal(all.doc.nextCursor, null);
    assert.ok(all.doc.items.every((t) => t.type === "listed" && t.status === "pending"));
    const page1 = await runJson<{ items: TaskJson[]; total: number; nextCursor: string | null }>(["list", "--type", "listed", "--limit", "2", "--json"]);
    assert.equal(page1.doc.items.length, 2);
    assert.ok(page1.doc.nextCursor);
    const page2 = await runJson<{ items: TaskJson[]; nextCursor: string | null }>(["list", "--type", "listed", "--limit", "2", "--cursor", page1.doc.nextCursor, "--json"]);
    assert.deepEqual(page2.doc.items.map((t) => t.id), [all.doc.items[2].id]);
    const succeeded = await runJson<{ items: TaskJson[] }>(["list", "--status", "succeeded", "--type", "hello", "--json"]);
    assert.ok(succeeded.doc.items.length >= 1);
    assert.ok(succeeded.doc.items.every((t) => t.status === "succeeded"));
    const human = await run(["list", "--type", "listed"]);
    assert.match(human.stdout, /^ID\s+TYPE\s+STATUS\s+STEP\s+PROGRESS\s+CREATED\s+INDEX$/m);
    assert.match(human.stdout, /^3 of 3 tasks$/m);
    const bad = await run(["list", "--status", "done"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--status: must be one of pending, running/);
  });

  test("worker refuses an executors module whose default export is not an object of functions", async () => {
    const file = join(db.dir, "bad-executors.mjs");
    writeFileSync(file, "export default { good() { return 1 }, bad: 42 };\n");
    const r = await run(["worker", "--executors", file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /CONFIG_INVALID/);
    assert.ok(r.stderr.includes(file), "the error names the module");
    assert.match(r.stderr, /key "bad" must be a function, got number/);
  });

  test("the worker stops gracefully on SIGTERM and exits 0", async () => {
    assert.ok(worker);
    const running = worker;
    running.kill("SIGTERM");
    assert.equal(await exited(running), 0, `worker stderr:\n${workerStderr}`);
  });
});
