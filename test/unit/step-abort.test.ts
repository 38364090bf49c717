import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { StepAbort, StepAbortedError } from "../../src/worker/abort-reason.js";

describe("StepAbort", () => {
  test("a signal read before the abort fires with the reason, then the listener runs once", () => {
    const abort = new StepAbort();
    const signal = abort.signal;
    const seen: string[] = [];
    signal.addEventListener("abort", () => seen.push(`signal:${(signal.reason as StepAbortedError).kind}`));
    abort.onAbort(() => seen.push("listener"));
    assert.equal(abort.kind, undefined);
    abort.abort(new StepAbortedError("cancel", "cancel requested"));
    abort.abort(new StepAbortedError("shutdown", "ignored: the first abort wins"));
    assert.deepEqual(seen, ["signal:cancel", "listener"]);
    assert.equal(abort.kind, "cancel");
    assert.equal(abort.reason?.message, "cancel requested");
    assert.equal(abort.signal, signal, "the same signal every time");
  });

  test("a signal first read after the abort is born aborted with the same reason", () => {
    const abort = new StepAbort();
    const reason = new StepAbortedError("step-timeout", "step timed out after 5ms");
    abort.abort(reason);
    assert.equal(abort.signal.aborted, true);
    assert.equal(abort.signal.reason, reason);
    let ran = 0;
    abort.onAbort(() => ran++);
    assert.equal(ran, 1, "a listener added after the abort runs at once");
  });

  test("without an abort nothing fires and no reason is set", () => {
    const abort = new StepAbort();
    let ran = 0;
    abort.onAbort(() => ran++);
    assert.equal(abort.signal.aborted, false);
    assert.deepEqual([ran, abort.reason, abort.kind], [0, null, undefined]);
  });
});
