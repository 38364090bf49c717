// The human `show` view: params at dispatch and what each step set (with the value it replaced).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { StepContext } from "../../src/core/step-context.js";
import { task } from "../../src/client/task-builder.js";
import { formatTaskView } from "../../src/cli/task-view.js";
import { FAST_WORKER, openTestEngine } from "../support/engine.js";

describe("formatTaskView", () => {
  let engine: Awaited<ReturnType<typeof openTestEngine>>;

  before(async () => {
    engine = await openTestEngine({
      executors: {
        setVersion: (ctx: StepContext) => void ctx.setParam("version", "1.2.3"),
        bumpRegion: (ctx: StepContext) => void ctx.setParam("region", "eu-2"),
        plain: () => null,
      },
    });
    engine.tr.startWorker(FAST_WORKER);
  });
  after(() => engine.dispose());

  test("lists the params each step set, new or replacing a value, after the params at dispatch", async () => {
    const { client } = engine.tr;
    const t = await client.dispatch(task("view").params({ region: "eu-1" }).step("fetch", "setVersion").step("noop", "plain").step("move", "bumpRegion"));
    const done = await client.waitForTask(t.id, { timeoutMs: 20_000 });
    assert.equal(done.status, "succeeded");
    const lines = formatTaskView(done).split("\n");
    const at = lines.indexOf("set by steps");
    assert.ok(at > 0, lines.join("\n"));
    assert.equal(lines[at - 1], 'dispatched with region = eu-1');
    assert.match(lines[at + 1], /^\s+1\s+fetch\s+version = 1\.2\.3\s+\(new\)$/);
    assert.match(lines[at + 2], /^\s+3\s+move\s+region = eu-2\s+\(was eu-1\)$/);
    assert.equal(lines.filter((l) => /\bnoop\b.*=/.test(l)).length, 0, "a step that set nothing has no line");
  });

  test("shows no such section when no step set a param", async () => {
    const { client } = engine.tr;
    const t = await client.dispatch(task("quiet").step("only", "plain"));
    const done = await client.waitForTask(t.id, { timeoutMs: 20_000 });
    assert.ok(!formatTaskView(done).includes("set by steps"));
  });
});
