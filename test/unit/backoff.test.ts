import { test } from "node:test";
import assert from "node:assert/strict";
import { computeBackoffMs, type BackoffPolicy } from "../../src/core/backoff.js";

const base = { delayMs: 100, maxMs: 10_000, jitter: 0 };

test("fixed backoff waits the same after every failure", () => {
  const p: BackoffPolicy = { kind: "fixed", ...base };
  assert.deepEqual([1, 2, 5].map((n) => computeBackoffMs(p, n)), [100, 100, 100]);
});

test("exponential backoff doubles and stops at the cap", () => {
  const p: BackoffPolicy = { kind: "exponential", ...base, maxMs: 1000 };
  assert.deepEqual([1, 2, 3, 4, 5, 60].map((n) => computeBackoffMs(p, n)), [100, 200, 400, 800, 1000, 1000]);
});

test("fibonacci backoff follows 1 1 2 3 5 8 and is capped", () => {
  const p: BackoffPolicy = { kind: "fibonacci", ...base, maxMs: 700 };
  assert.deepEqual([1, 2, 3, 4, 5, 6, 200].map((n) => computeBackoffMs(p, n)), [100, 100, 200, 300, 500, 700, 700]);
});

test("jitter removes up to its fraction of the wait", () => {
  const p: BackoffPolicy = { kind: "fixed", delayMs: 1000, maxMs: 1000, jitter: 0.5 };
  assert.equal(computeBackoffMs(p, 1, () => 0), 500);
  assert.equal(computeBackoffMs(p, 1, () => 0.999999), 1000);
});
