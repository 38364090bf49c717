// `taskrail serve` as a real process: prints its URL and the first admin token, dispatches over
// HTTP, runs the task with its own worker, and shuts down cleanly on SIGTERM.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { after, describe, test } from "node:test";
import { CLI, ROOT, runCli } from "../support/cli-runner.js";
import { tempSqliteUrl } from "../support/temp-sqlite.js";

/** Resolves with stdout once `pattern` matched it (rejects when the process exits first). */
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
    child.once("exit", (code) => reject(new Error(`serve exited (${code}) before printing ${pattern}\nstdout: ${seen.stdout}\nstderr: ${seen.stderr}`)));
    check();
  });
}

describe("taskrail serve", () => {
  const db = tempSqliteUrl("taskrail-serve-");
  after(() => db.cleanup());

  test("serves the API with a first admin token, runs dispatched tasks, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--db", db.url, "--executors", "examples/executors.js", "--log-level", "warn"], { cwd: ROOT });
    const seen = { stdout: "", stderr: "" };
    child.stdout.on("data", (d: Buffer) => (seen.stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (seen.stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const [, url] = await waitForOutput(child, /listening on (http:\/\/\S+)/, seen);
      const [, token] = await waitForOutput(child, /admin token[^:]*: (trk_\S+)/, seen);
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };

      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      assert.equal((await fetch(`${url}/api/v1/tasks`)).status, 401);
      const dispatched = await fetch(`${url}/api/v1/tasks`, {
        method: "POST",
        headers,
        body: JSON.stringify({ type: "hello", params: { a: 2, b: 3 }, steps: [{ name: "add", executor: "add" }] }),
      });
      assert.equal(dispatched.status, 201);
      const { id } = (await dispatched.json()) as { id: string };
      let status = "pending";
      for (let i = 0; i < 200 && (status === "pending" || status === "running"); i++) {
        await new Promise((r) => setTimeout(r, 50));
        status = ((await (await fetch(`${url}/api/v1/tasks/${id}`, { headers })).json()) as { status: string }).status;
      }
      assert.equal(status, "succeeded");
      child.kill("SIGTERM");
      assert.equal(await exited, 0, seen.stderr);
      assert.match(seen.stdout, /taskrail serve stopped/);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }

    // The token is in the store; a second start prints none.
    const list = await runCli(["token", "list", "--json", "--db", db.url]);
    assert.equal(list.code, 0, list.stderr);
    const tokens = JSON.parse(list.stdout) as { role: string; tenant: string }[];
    assert.deepEqual(tokens.map((t) => [t.role, t.tenant]), [["admin", "*"]]);
  });

  test("token create prints the secret once and refuses an operator token without a tenant; revoke ends a token", async () => {
    const created = await runCli(["token", "create", "--tenant", "acme", "--role", "viewer", "--json", "--db", db.url]);
    assert.equal(created.code, 0, created.stderr);
    const { id, token } = JSON.parse(created.stdout) as { id: string; token: string };
    assert.match(token, /^trk_/);
    const bad = await runCli(["token", "create", "--role", "operator", "--db", db.url]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /tenant: operator tokens are bound to one tenant/);
    const revoked = await runCli(["token", "revoke", id, "--db", db.url]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal((await runCli(["token", "revoke", "tok_nope", "--db", db.url])).code, 3);
  });
});
