// Unit tests of the `shell` executor against real processes: allow-list, argv, output, process-group kills.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { NonRetryableError, TaskrailError, ValidationError } from "../../src/core/errors.js";
import type { JsonObject } from "../../src/core/json.js";
import type { Executor } from "../../src/core/step-context.js";
import { createShellExecutor, ShellNotAllowedError } from "../../src/executors/shell.js";
import { createFakeStepContext, type FakeStepContext } from "../support/fake-step-context.js";

const scratch = mkdtempSync(join(tmpdir(), "taskrail-shell-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function run(executor: Executor, params: JsonObject, fake = createFakeStepContext({ params })): Promise<unknown> {
  return Promise.resolve().then(() => executor(fake.ctx));
}

function onPath(name: string): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${name} not on PATH`);
}

/** Live (non-zombie) processes in group `pgid`: zombies wait for a reaper, they run nothing. */
function liveGroupMembers(pgid: number): number[] {
  if (!existsSync("/proc/self/stat")) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const live: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === pgid && state !== "Z") live.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return live;
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const groupGone = (pgid: number) => waitFor(`process group ${pgid} to end`, () => (liveGroupMembers(pgid).length === 0 ? true : undefined));

/** The first stdout log line that is a number: scripts below print `$$` (the group id) first. */
const firstPid = (fake: FakeStepContext) =>
  waitFor("the command to print its pid", () => {
    const line = fake.logs.find((l) => l.fields?.stream === "stdout" && /^\d+$/.test(l.message));
    return line ? Number(line.message) : undefined;
  });

test("with the default empty allow-list every command is refused and nothing runs", async () => {
  const marker = join(scratch, "should-not-exist");
  await assert.rejects(run(createShellExecutor(), { command: ["touch", marker] }), (err: unknown) => {
    assert.ok(err instanceof ShellNotAllowedError);
    assert.ok(err instanceof NonRetryableError);
    assert.equal(err.code, "SHELL_NOT_ALLOWED");
    assert.equal(err.message, 'shell: "touch" is not on the allow-list (configure shell.allow)');
    return true;
  });
  assert.equal(existsSync(marker), false);
});

test("a bare allow-list entry admits only the bare name and an absolute entry only its exact path", async () => {
  const echoPath = onPath("echo");
  await assert.rejects(run(createShellExecutor({ allow: ["echo"] }), { command: [echoPath, "x"] }), ShellNotAllowedError);
  await assert.rejects(run(createShellExecutor({ allow: ["echo"] }), { command: ["./echo", "x"] }), ShellNotAllowedError);
  await assert.rejects(run(createShellExecutor({ allow: [echoPath] }), { command: ["echo", "x"] }), ShellNotAllowedError);
  assert.deepEqual(await run(createShellExecutor({ allow: [echoPath] }), { command: [echoPath, "x"] }), { exitCode: 0, stdout: "x\n", stderr: "" });
});

test("an allowed echo streams its stdout lines into the log and returns exit code 0", async () => {
  const fake = createFakeStepContext({ params: { command: ["echo", "hello world"] } });
  const output = await run(createShellExecutor({ allow: ["echo"] }), fake.ctx.params, fake);
  assert.deepEqual(output, { exitCode: 0, stdout: "hello world\n", stderr: "" });
  assert.deepEqual(fake.logs, [{ level: "info", message: "hello world", fields: { stream: "stdout" } }]);
});

test("stderr lines are logged as warnings with stream stderr", async () => {
  const fake = createFakeStepContext({ params: { command: ["sh", "-c", "echo out; echo err >&2; printf 'no newline'"] } });
  const output = await run(createShellExecutor({ allow: ["sh"] }), fake.ctx.params, fake);
  assert.deepEqual(output, { exitCode: 0, stdout: "out\nno newline", stderr: "err\n" });
  assert.deepEqual(
    fake.logs.map((l) => [l.level, l.message, l.fields?.stream]).sort(),
    [["info", "no newline", "stdout"], ["info", "out", "stdout"], ["warn", "err", "stderr"]],
  );
});

test("a non-zero exit throws a retryable error naming the code and the last stderr lines", async () => {
  await assert.rejects(run(createShellExecutor({ allow: ["sh"] }), { command: ["sh", "-c", "echo first >&2; echo oops >&2; exit 3"] }), (err: unknown) => {
    assert.ok(err instanceof Error);
    assert.equal(err instanceof NonRetryableError, false);
    assert.equal(err.message, "shell: command exited with code 3; stderr: first | oops");
    return true;
  });
});

test("params are passed as argv, so shell syntax in them is printed literally", async () => {
  const marker = join(scratch, "injected");
  const hostile = ["; rm -rf /", `$(touch ${marker})`, "`id`", "a && b | c > d", "$HOME", "*"];
  const output = await run(createShellExecutor({ allow: ["echo"] }), { command: ["echo", ...hostile] });
  assert.deepEqual(output, { exitCode: 0, stdout: `${hostile.join(" ")}\n`, stderr: "" });
  assert.equal(existsSync(marker), false);
});

test("env is merged over the worker's environment and cwd sets the working directory", async () => {
  const output = (await run(createShellExecutor({ allow: ["sh"] }), {
    command: ["sh", "-c", 'echo "$TASKRAIL_TEST_VALUE"; echo "$PATH"; pwd -P'],
    env: { TASKRAIL_TEST_VALUE: "from the step" },
    cwd: scratch,
  })) as { stdout: string };
  assert.deepEqual(output.stdout.split("\n"), ["from the step", process.env.PATH, realpathSync(scratch), ""]);
});

test("a cwd that does not exist is a NonRetryableError naming cwd", async () => {
  await assert.rejects(run(createShellExecutor({ allow: ["echo"] }), { command: ["echo"], cwd: join(scratch, "missing") }), (err: unknown) => {
    assert.ok(err instanceof NonRetryableError);
    assert.match(err.message, /^invalid shell params: cwd: /);
    return true;
  });
});

test("invalid params are a NonRetryableError naming the field", async () => {
  const executor = createShellExecutor({ allow: ["echo"] });
  const cases: Array<[JsonObject, RegExp]> = [
    [{}, /command: must be a non-empty array of strings/],
    [{ command: "echo hi" }, /command: must be a non-empty array of strings/],
    [{ command: [] }, /command: must be a non-empty array of strings/],
    [{ command: ["echo", 1] }, /command\.1: must be a string/],
    [{ command: ["echo"], env: { A: 1 } }, /env\.A: must be a string/],
    [{ command: ["echo"], env: { LD_PRELOAD: "/tmp/x.so" } }, /env\.LD_PRELOAD: is refused/],
    [{ command: ["echo"], timeout: "soon" }, /timeout: /],
  ];
  for (const [params, message] of cases) {
    await assert.rejects(run(executor, params), (err: unknown) => {
      assert.ok(err instanceof NonRetryableError, `${JSON.stringify(params)} should be non-retryable`);
      assert.match(err.message, /^invalid shell params: /);
      assert.match(err.message, message);
      return true;
    });
  }
});

test("bad executor options throw a ValidationError naming the option", () => {
  assert.throws(() => createShellExecutor({ allow: ["bin/tool"], killGraceMs: -1 }), (err: unknown) => {
    assert.ok(err instanceof ValidationError);
    assert.deepEqual(err.fields.map((f) => f.path), ["shell.allow.0", "shell.killGraceMs"]);
    return true;
  });
});

test("aborting the step kills the whole process group, grandchildren included", async () => {
  const fake = createFakeStepContext({ params: { command: ["sh", "-c", "echo $$; sleep 30 >/dev/null 2>&1 & sleep 30 >/dev/null 2>&1 & wait"] } });
  const running = run(createShellExecutor({ allow: ["sh"], killGraceMs: 2000 }), fake.ctx.params, fake);
  const pgid = await firstPid(fake);
  // The leader plus its two background sleeps; they do not hold the output pipes, so only a
  // signal to the whole group (not just the leader) ends them before they finish.
  await waitFor("three live processes in the group", () => (liveGroupMembers(pgid).length === 3 ? true : undefined));
  const reason = new Error("cancel requested");
  fake.abort(reason);
  await assert.rejects(running, (err) => err === reason);
  await groupGone(pgid);
});

test("a group that ignores SIGTERM is killed with SIGKILL after killGraceMs", async () => {
  const fake = createFakeStepContext({ params: { command: ["sh", "-c", "trap '' TERM; echo $$; sleep 30 & wait"] } });
  const running = run(createShellExecutor({ allow: ["sh"], killGraceMs: 200 }), fake.ctx.params, fake);
  const pgid = await firstPid(fake);
  await waitFor("two live processes in the group", () => (liveGroupMembers(pgid).length === 2 ? true : undefined));
  const reason = new Error("shutting down");
  fake.abort(reason);
  await assert.rejects(running, (err) => err === reason);
  await groupGone(pgid);
});

test("the timeout param kills the command and rejects with a STEP_TIMEOUT error", async () => {
  const fake = createFakeStepContext({ params: { command: ["sh", "-c", "echo $$; sleep 30"], timeout: "300ms" } });
  const running = run(createShellExecutor({ allow: ["sh"], killGraceMs: 1000 }), fake.ctx.params, fake);
  const pgid = await firstPid(fake);
  await assert.rejects(running, (err: unknown) => {
    assert.ok(err instanceof TaskrailError);
    assert.equal(err.code, "STEP_TIMEOUT");
    assert.equal(err.message, "shell: command timed out after 300ms");
    return true;
  });
  await groupGone(pgid);
});

test("processes a command leaves running when it exits are stopped and do not hold up the result", async () => {
  const fake = createFakeStepContext({ params: { command: ["sh", "-c", "echo $$; sleep 30 & echo started"] } });
  const output = (await run(createShellExecutor({ allow: ["sh"] }), fake.ctx.params, fake)) as { exitCode: number };
  assert.equal(output.exitCode, 0);
  assert.ok(fake.messages("warn").includes("shell: the command left processes running in its group; stopping them"));
  await groupGone(await firstPid(fake));
});

test("very long lines are cut in the log, later lines still arrive, and the output keeps only the tail", async () => {
  const fake = createFakeStepContext({ params: { command: ["sh", "-c", "head -c 20000 /dev/zero | tr '\\0' x; echo; echo after"] } });
  const output = (await run(createShellExecutor({ allow: ["sh"], maxOutputBytes: 100 }), fake.ctx.params, fake)) as { stdout: string };
  assert.equal(fake.logs.length, 2);
  assert.equal(fake.logs[0].message, "x".repeat(8192));
  assert.deepEqual(fake.logs[0].fields, { stream: "stdout", truncated: true });
  assert.equal(fake.logs[1].message, "after");
  assert.equal(output.stdout, `${"x".repeat(93)}\nafter\n`);
});

test("log lines stop at maxLogLines with one warning", async () => {
  const fake = createFakeStepContext({ params: { command: ["seq", "1", "50"] } });
  const output = (await run(createShellExecutor({ allow: ["seq"], maxLogLines: 10 }), fake.ctx.params, fake)) as { stdout: string };
  assert.deepEqual(fake.messages("info"), ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
  assert.equal(fake.messages("warn").length, 1);
  assert.equal(output.stdout.split("\n").length, 51);
});
