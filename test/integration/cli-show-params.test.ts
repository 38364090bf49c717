// `taskrail show --json` prints initialParams and each step's paramsSet / paramsBefore /
// paramsAfter (the same fields as the API's task JSON).
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { runCli } from "../support/cli-runner.js";
import { makeTask } from "../support/task-factory.js";
import { tempSqliteUrl } from "../support/temp-sqlite.js";

const db = tempSqliteUrl("taskrail-cli-show-params-");
after(() => db.cleanup());

test("show --json has the params before and after each step", { timeout: 60_000 }, async () => {
  const store = await openSqliteStore(db.path);
  const now = new Date();
  const input = makeTask({ steps: 2, params: { env: "staging" }, now });
  try {
    await store.createTask(input, "fail");
    const [claimed] = await store.claimTasks({ nodeId: "n", queues: ["default"], executors: ["noop"], limit: 1, leaseMs: 30_000, now });
    await store.completeStep(claimed.lease, { stepIndex: 0, output: null, paramsPatch: { version: "1.4.2" }, continueNext: false, now });
  } finally {
    await store.close();
  }
  const shown = await runCli(["show", input.id, "--json"], { env: { TASKRAIL_DATABASE_URL: db.url } });
  assert.equal(shown.code, 0, shown.stderr);
  const task = JSON.parse(shown.stdout);
  assert.deepEqual(task.initialParams, { env: "staging" });
  assert.deepEqual(
    task.steps.map((s: { paramsSet: unknown; paramsBefore: unknown; paramsAfter: unknown }) => [s.paramsSet, s.paramsBefore, s.paramsAfter]),
    [
      [{ version: "1.4.2" }, { env: "staging" }, { env: "staging", version: "1.4.2" }],
      [null, { env: "staging", version: "1.4.2" }, null],
    ],
  );
});
