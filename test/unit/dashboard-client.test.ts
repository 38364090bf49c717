// The dashboard's pure pieces that run without a browser: the server-sent event parser, query
// strings, API error field lookup, and how durations read.
import assert from "node:assert/strict";
import { test } from "node:test";
import { toQueryString } from "../../dashboard/src/api/api-client.js";
import { ApiError, apiErrorFrom } from "../../dashboard/src/api/api-error.js";
import { SseParser, type StreamEvent } from "../../dashboard/src/api/event-stream.js";
import { relativeTime, shortDuration } from "../../dashboard/src/format.js";

function parse(chunks: string[]): { events: StreamEvent[]; parser: SseParser } {
  const parser = new SseParser();
  const events: StreamEvent[] = [];
  for (const chunk of chunks) parser.push(chunk, (e) => events.push(e));
  return { events, parser };
}

test("the SSE parser joins events split across chunks, parses JSON data and remembers the last id", () => {
  const { events, parser } = parse([": heartbeat\n\nid: 7\nevent: ta", 'sk\ndata: {"status":', '"running"}\n\nid: 8\r', '\nevent: step\r\ndata: {"step":"a"}\r\n\r', "\n"]);
  assert.deepEqual(events, [
    { id: "7", type: "task", data: { status: "running" } },
    { id: "8", type: "step", data: { step: "a" } },
  ]);
  assert.equal(parser.lastEventId, "8");
});

test("the SSE parser joins multi-line data, defaults the event name to message and ignores comments and unfinished events", () => {
  const { events, parser } = parse(["retry: 2000\n: streaming\n\ndata: line one\ndata: line two\n\nid: 9\ndata: {\"half\""]);
  assert.deepEqual(events, [{ id: null, type: "message", data: "line one\nline two" }]);
  assert.equal(parser.lastEventId, null, "an unfinished event must not move the resume point");
});

test("query strings leave out empty values and encode the rest", () => {
  assert.equal(toQueryString({ status: "failed", type: "", index: undefined, cursor: null, limit: 50, q: "a b&c" }), "?status=failed&limit=50&q=a+b%26c");
  assert.equal(toQueryString({ type: "" }), "");
});

test("an API error answer becomes an ApiError whose field messages are found by path or by a parent path", async () => {
  const response = new Response(
    JSON.stringify({ error: { code: "VALIDATION_FAILED", message: "invalid definition", fields: [{ path: "schedule.cron", message: "bad cron" }, { path: "task.steps.0.executor", message: "unknown" }] } }),
    { status: 400, headers: { "content-type": "application/json" } },
  );
  const error = await apiErrorFrom(response);
  assert.equal(error.status, 400);
  assert.equal(error.code, "VALIDATION_FAILED");
  assert.equal(error.fieldMessage("schedule.cron"), "bad cron");
  assert.equal(error.fieldMessage("schedule"), "bad cron");
  assert.equal(error.fieldMessage("task"), "unknown");
  assert.equal(error.fieldMessage("name"), undefined);
});

test("a non-JSON error answer still becomes an ApiError naming the HTTP status", async () => {
  const error = await apiErrorFrom(new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));
  assert.ok(error instanceof ApiError);
  assert.equal(error.code, "HTTP_502");
  assert.equal(error.message, "502 Bad Gateway");
  assert.deepEqual(error.fields, []);
});

test("durations and relative times read the way people say them", () => {
  assert.equal(shortDuration(850), "850ms");
  assert.equal(shortDuration(12_300), "12s");
  assert.equal(shortDuration(4_300), "4.3s");
  assert.equal(shortDuration(300_000), "5m");
  assert.equal(shortDuration(245_000), "4m 05s");
  assert.equal(shortDuration(7_800_000), "2h 10m");
  assert.equal(shortDuration(3 * 86_400_000 + 4 * 3_600_000), "3d 4h");
  assert.equal(shortDuration(null), "—");
  const now = Date.parse("2026-11-23T12:00:00Z");
  assert.equal(relativeTime("2026-11-23T11:57:00Z", now), "3m ago");
  assert.equal(relativeTime("2026-11-23T12:00:30Z", now), "in 30s");
  assert.equal(relativeTime("2026-11-23T12:00:00.400Z", now), "just now");
  assert.equal(relativeTime(null, now), "—");
});
