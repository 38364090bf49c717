// The task commands with `--server URL --token T` against a real `taskrail serve` process:
// dispatch, list, show (and --follow), cancel, retry, skip and logs over the API, with API
// errors mapped to the CLI's messages and exit codes, and tenants enforced by the token.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { CLI, ROOT, runCli, type RunResult } from "../support/cli-runner.js";
import { tempSqliteUrl } from "../support/temp-sqlite.js";

/** Resolves with the first match of `pattern` in the process's stdout. */
function waitForOutput(child: ChildProcess, pattern: RegExp, seen: { stdout: string; stderr: string }): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const m = seen.stdout.match(pattern);
      if (m) {
        child.stdout!.off("data", check);
        resolve(m);
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => reject(new Error(`serve exited (${code}) before printing ${pattern}\nstderr: ${seen.stderr}`)));
    check();
  });
}

interface TaskJson {
  id: string;
  status: string;
  params: Record<string, unknown>;
  steps: { name: string; status: string; attempts: number; message: string | null }[];
}

describe("CLI over HTTP (--server)", () => {
  const db = tempSqliteUrl("taskrail-cli-http-");
  let serve: ChildProcess;
  let url: string;
  let operator: string;
  let viewer: string;
  let otherTenant: string;

  before(async () => {
    serve = spawn(process.execPath, [CLI, "serve", "--port", "0", "--db", db.url, "--executors", "examples/executors.js", "--log-level", "warn"], { cwd: ROOT });
    const seen = { stdout: "", stderr: "" };
    serve.stdout!.on("data", (d: Buffer) => (seen.stdout += d.toString()));
    serve.stderr!.on("data", (d: Buffer) => (seen.stderr += d.toString()));
    [, url] = await waitForOutput(serve, /listening on (http:\/\/\S+)/, seen);
    const token = async (tenant: string, role: string) => {
      const res = await runCli(["token", "create", "--tenant", tenant, "--role", role, "--json", "--db", db.url]);
      assert.equal(res.code, 0, res.stderr);
      return (JSON.parse(res.stdout) as { token: string }).token;
    };
    operator = await token("acme", "operator");
    viewer = await token("acme", "viewer");
    otherTenant = await token("globex", "operator");
  });
  after(async () => {
    if (serve?.exitCode === null) {
      const exited = new Promise((resolve) => serve.once("exit", resolve));
      serve.kill("SIGTERM");
      await exited;
    }
    db.cleanup();
  });

  /** Runs the CLI against the server as `token` (never with --db: the store is not touched). */
  const cli = (args: string[], token = operator): Promise<RunResult> => runCli([...args, "--server", url, "--token", token]);
  const json = <T>(res: RunResult): T => {
    assert.equal(res.code, 0, `exit ${res.code}: ${res.stderr}`);
    return JSON.parse(res.stdout) as T;
  };

  test("dispatch --wait, list, show and logs work over the API", async () => {
    const done = json<TaskJson>(await cli(["dispatch", "hello", "--step", "add=add", "--param", "a=2", "--param", "b=3", "--wait", "--json"]));
    assert.equal(done.status, "succeeded");
    assert.equal(done.params.sum, 5);
    const listed = json<{ items: TaskJson[]; total: number }>(await cli(["list", "--type", "hello", "--json"]));
    assert.deepEqual(listed.items.map((t) => t.id), [done.id]);
    const shown = json<TaskJson>(await cli(["show", done.id, "--json"]));
    assert.deepEqual(shown.steps.map((s) => [s.name, s.status, s.attempts]), [["add", "succeeded", 1]]);
    const human = await cli(["show", done.id]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /succeeded/);
    const logs = await cli(["logs", done.id]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /adding/);
  });

  test("show --follow waits for the end; cancel stops a running task", async () => {
    const quick = json<TaskJson>(await cli(["dispatch", "quick", "--step", "nap=sleep", "--param", "ms=300", "--json"]));
    const followed = await cli(["show", quick.id, "--follow", "--json"]);
    assert.equal(json<TaskJson>(followed).status, "succeeded");
    const slow = json<TaskJson>(await cli(["dispatch", "slow", "--step", "nap=sleep", "--param", "ms=60000", "--json"]));
    const cancelled = await cli(["cancel", slow.id, "--json"]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    const final = await cli(["show", slow.id, "--follow", "--json"]);
    assert.equal(final.code, 1, "a cancelled task is not a success");
    assert.equal((JSON.parse(final.stdout) as TaskJson).status, "cancelled");
  });

  test("retry and skip repair a failed task over the API", async () => {
    const failed = await cli(["dispatch", "bad", "--step", "add=add", "--step", "again=add", "--param", "a=x", "--param", "b=1", "--wait", "--json"]);
    assert.equal(failed.code, 1);
    const task = JSON.parse(failed.stdout) as TaskJson;
    assert.equal(task.status, "failed");
    const retried = json<TaskJson>(await cli(["retry", task.id, "--json"]));
    assert.equal(retried.status, "pending");
    const again = await cli(["show", task.id, "--follow", "--json"]);
    assert.equal((JSON.parse(again.stdout) as TaskJson).status, "failed");
    const skipped = json<TaskJson>(await cli(["skip", task.id, "add", "--json"]));
    assert.equal(skipped.steps[0].status, "skipped");
    const wrongStep = await cli(["skip", task.id, "nope"]);
    assert.notEqual(wrongStep.code, 0);
  });

  test("API errors keep their codes, messages, fields and exit codes", async () => {
    const missing = await cli(["show", "01999999-0000-7000-8000-000000000000"]);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /error \[TASK_NOT_FOUND\]/);
    const invalid = await cli(["dispatch", "x", "--step", "a=add", "--priority", "1", "--timeout", "soon", "--json"]);
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /timeout: must be a duration/);
    assert.deepEqual((JSON.parse(invalid.stdout) as { error: { fields: { path: string }[] } }).error.fields.map((f) => f.path), ["timeout"]);
    const forbidden = await cli(["dispatch", "x", "--step", "a=add"], viewer);
    assert.equal(forbidden.code, 2);
    assert.match(forbidden.stderr, /error \[FORBIDDEN\]/);
    const badToken = await cli(["list"], "trk_not_a_token");
    assert.equal(badToken.code, 2);
    assert.match(badToken.stderr, /error \[UNAUTHORIZED\]/);
  });

  test("tasks made by a definition are listed by its name and show it", async () => {
    const headers = { authorization: `Bearer ${operator}`, "content-type": "application/json" };
    const created = await fetch(`${url}/api/v1/definitions`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "nightly-sum", task: { type: "sum", params: { a: 1, b: 2 }, steps: [{ name: "add", executor: "add" }] } }),
    });
    assert.equal(created.status, 201, await created.text());
    const triggered = await fetch(`${url}/api/v1/definitions/nightly-sum/trigger`, { method: "POST", headers });
    assert.equal(triggered.status < 300, true, await triggered.text());
    const listed = json<{ items: TaskJson[] }>(await cli(["list", "--definition", "nightly-sum", "--json"]));
    assert.equal(listed.items.length, 1);
    const shown = json<TaskJson & { definitionName?: string }>(await cli(["show", listed.items[0].id, "--json"]));
    assert.equal(shown.definitionName, "nightly-sum");
    const table = await cli(["list", "--type", "sum"]);
    assert.match(table.stdout, /nightly-sum/);
    const unknown = await cli(["list", "--definition", "nope"]);
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /DEFINITION_NOT_FOUND/);
  });

  test("defs apply, list, show, disable, enable, trigger, history and delete work over the API", async () => {
    const applied = json<{ name: string; action: string }[]>(await cli(["defs", "apply", "-f", "examples/nightly-report.def.yaml", "--json"]));
    assert.deepEqual(applied.map((r) => [r.name, r.action]), [["nightly-report", "created"]]);
    const again = json<{ action: string }[]>(await cli(["defs", "apply", "-f", "examples/nightly-report.def.yaml", "--json"]));
    assert.equal(again[0].action, "unchanged");
    const listed = json<{ items: { name: string }[] }>(await cli(["defs", "list", "--json"]));
    assert.ok(listed.items.some((d) => d.name === "nightly-report"));
    const shown = json<{ name: string; nextFireTimes: string[] }>(await cli(["defs", "show", "nightly-report", "--json"]));
    assert.equal(shown.nextFireTimes.length, 5);
    const human = await cli(["defs", "show", "nightly-report"]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /nightly-report/);
    assert.equal((await cli(["defs", "disable", "nightly-report"])).code, 0);
    assert.equal(json<{ enabled: boolean }>(await cli(["defs", "enable", "nightly-report", "--json"])).enabled, true);
    const task = json<TaskJson>(await cli(["defs", "trigger", "nightly-report", "--json"]));
    const history = json<{ items: TaskJson[] }>(await cli(["defs", "history", "nightly-report", "--json"]));
    assert.deepEqual(history.items.map((t) => t.id), [task.id]);
    // Another tenant's token does not see it; a viewer may read but not change it.
    assert.equal((await cli(["defs", "show", "nightly-report"], otherTenant)).code, 3);
    assert.equal((await cli(["defs", "show", "nightly-report", "--json"], viewer)).code, 0);
    assert.equal((await cli(["defs", "delete", "nightly-report"], viewer)).code, 2);
    assert.equal((await cli(["defs", "delete", "nightly-report"])).code, 0);
    const gone = await cli(["defs", "show", "nightly-report"]);
    assert.equal(gone.code, 3);
    assert.match(gone.stderr, /DEFINITION_NOT_FOUND/);
  });

  test("a token only reaches its own tenant's tasks, and the env vars stand in for the flags", async () => {
    const mine = json<TaskJson>(await cli(["dispatch", "private", "--step", "add=add", "--param", "a=1", "--param", "b=1", "--json"]));
    const foreignShow = await cli(["show", mine.id], otherTenant);
    assert.equal(foreignShow.code, 3);
    assert.equal((await cli(["cancel", mine.id], otherTenant)).code, 3);
    assert.equal((await cli(["logs", mine.id], otherTenant)).code, 3);
    const foreignList = json<{ items: TaskJson[] }>(await cli(["list", "--json"], otherTenant));
    assert.ok(!foreignList.items.some((t) => t.id === mine.id));
    const viaEnv = await runCli(["show", mine.id, "--json"], { env: { TASKRAIL_SERVER_URL: url, TASKRAIL_TOKEN: viewer } });
    assert.equal(json<TaskJson>(viaEnv).id, mine.id);
  });
});
