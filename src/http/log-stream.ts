// `GET /api/v1/tasks/{id}/logs?follow=1`: a task's log as server-sent events, from the start
// (or after `Last-Event-ID` / `afterId`) until the task has ended and every line was sent.
import type { FastifyReply, FastifyRequest } from "fastify";
import { isTerminalTaskStatus } from "../core/status.js";
import type { TaskrailClient } from "../client/taskrail-client.js";

/** How often a followed log is polled for new lines. */
export const LOG_FOLLOW_POLL_MS = 500;
/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/**
 * Streams log lines as `event: log` (id = line id, data = the line as JSON), then one
 * `event: end` (data = the task's final status) and closes. Resumes after the line id of a
 * `Last-Event-ID` header, so a reconnecting EventSource gets every line it missed.
 */
export async function streamTaskLogs(
  request: FastifyRequest,
  reply: FastifyReply,
  client: TaskrailClient,
  taskId: string,
  options: { afterId?: number; step?: number },
): Promise<void> {
  // Fails with TASK_NOT_FOUND (404) before any byte is sent when the task is not the caller's.
  await client.getTask(taskId);
  const lastEventId = Number(request.headers["last-event-id"]);
  let afterId = Number.isInteger(lastEventId) && lastEventId >= 0 ? lastEventId : (options.afterId ?? 0);
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
  raw.write(": following task logs\n\n");
  let closed = false;
  request.raw.on("close", () => (closed = true));
  let lastWrite = Date.now();
  try {
    while (!closed) {
      // Read the status before the lines: a task seen ended has written all its lines already.
      const task = await client.getTask(taskId);
      const lines = await client.listLogs(taskId, { afterId, limit: 500, stepIndex: options.step });
      for (const line of lines) {
        raw.write(`event: log\nid: ${line.id}\ndata: ${JSON.stringify(line)}\n\n`);
        afterId = line.id;
        lastWrite = Date.now();
      }
      if (lines.length === 500) continue;
      if (isTerminalTaskStatus(task.status)) {
        raw.write(`event: end\ndata: ${JSON.stringify({ status: task.status })}\n\n`);
        break;
      }
      if (Date.now() - lastWrite > KEEPALIVE_MS) {
        raw.write(": keepalive\n\n");
        lastWrite = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, LOG_FOLLOW_POLL_MS));
    }
  } catch (err) {
    if (!closed) raw.write(`event: error\ndata: ${JSON.stringify({ message: err instanceof Error ? err.message : String(err) })}\n\n`);
  } finally {
    raw.end();
  }
}
