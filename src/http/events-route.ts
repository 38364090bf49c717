// `GET /api/v1/events`: the live stream of task and step transitions as server-sent events,
// limited to the caller's tenant (admin: every tenant) and optionally one task or definition,
// resumable after the last event id seen (`Last-Event-ID` header or `?lastEventId=`).
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type {} from "./auth.js";
import type { EventBus } from "../core/events.js";
import { TaskNotFoundError, UnauthorizedError, ValidationError, type FieldError } from "../core/errors.js";
import { silentLogger, type Logger } from "../core/logger.js";
import { parseDurationMs } from "../core/duration.js";
import { parseEventStreamQuery, parseLastEventIdHeader } from "../core/validation/event-stream-query.js";
import type { Store, TenantScope } from "../store/store.js";
import { pumpTaskEvents, type TaskEventStreamTiming } from "./task-event-stream.js";

/** Path of the stream. */
export const EVENTS_PATH = "/api/v1/events";

/** Settings of the events route. Durations accept ms numbers or strings like "15s". */
export interface EventsRouteSettings {
  /** Longest wait between two reads of the event log. @default "500ms" */
  pollInterval?: number | string;
  /** Shortest wait between two reads however busy the engine is. @default "100ms" */
  minPollInterval?: number | string;
  /** Comment line after this much silence. @default "15s" */
  heartbeat?: number | string;
}

/** What the plugin needs from the app (the server's plugin options carry these and more). */
export interface EventsRouteDeps {
  store: Store;
  /** In-process engine events: wake the streams at once (other processes are polled). */
  events?: EventBus;
  logger?: Logger;
}

const DEFAULT_TIMING: TaskEventStreamTiming = { pollIntervalMs: 500, minPollIntervalMs: 100, heartbeatMs: 15_000, retryMs: 2_000 };

/** Resolves the settings to ms; bad values throw one ValidationError naming each (`events.heartbeat: …`). */
export function resolveEventsRouteTiming(settings: EventsRouteSettings = {}): TaskEventStreamTiming {
  const problems: FieldError[] = [];
  const ms = (name: keyof EventsRouteSettings, fallback: number): number => {
    const value = settings[name];
    if (value === undefined) return fallback;
    const parsed = parseDurationMs(value);
    if (parsed.ok && parsed.ms > 0) return parsed.ms;
    problems.push({ path: `events.${name}`, message: parsed.ok ? `must be > 0, got ${parsed.ms}` : parsed.message });
    return fallback;
  };
  const timing = Object.freeze({
    pollIntervalMs: ms("pollInterval", DEFAULT_TIMING.pollIntervalMs),
    minPollIntervalMs: ms("minPollInterval", DEFAULT_TIMING.minPollIntervalMs),
    heartbeatMs: ms("heartbeat", DEFAULT_TIMING.heartbeatMs),
    retryMs: DEFAULT_TIMING.retryMs,
  });
  if (problems.length > 0) throw new ValidationError(problems, "invalid event stream settings");
  return timing;
}

/**
 * The caller's tenant from the auth hook's `request.auth` (null = admin). The app's auth hook
 * runs before every non-public route, so a request without it never had a valid token.
 */
function tenantOf(request: FastifyRequest): TenantScope {
  if (request.auth === undefined) throw new UnauthorizedError("missing bearer token: send Authorization: Bearer <token>");
  return request.auth.tenant;
}

/** The OpenAPI operation of the stream (the server adds it to its document). */
export const EVENTS_OPENAPI_OPERATION = {
  operationId: "streamEvents",
  summary: "Live task and step transitions (server-sent events)",
  description:
    "A `text/event-stream` of every task and step status transition in the caller's tenant (admin tokens: every tenant), " +
    "optionally of one task or one definition's tasks. Each event has `id:` (its position in the event log), `event:` " +
    "`task` or `step`, and `data:` a JSON object `{ id, kind, tenant, taskId, definitionId, step, attempt, status, message, at }` " +
    "where `kind` is `task:dispatched`, `task:<status>`, `task:cancel-requested` or `step:<status>`. Without a position the " +
    "stream starts with the next event; with `Last-Event-ID` (header, as EventSource sends on reconnect) or `lastEventId` it " +
    "first delivers every retained event after that id, in order. Comment lines (`: heartbeat`) keep quiet connections open.",
  tags: ["events"],
  parameters: [
    { name: "taskId", in: "query", required: false, schema: { type: "string", minLength: 1, maxLength: 200 }, description: "only this task's events (404 when not visible to the caller)" },
    { name: "definitionId", in: "query", required: false, schema: { type: "string", minLength: 1, maxLength: 200 }, description: "only events of tasks made by this definition" },
    { name: "lastEventId", in: "query", required: false, schema: { type: "string", pattern: "^\\d{1,15}$" }, description: "resume after this event id" },
    { name: "Last-Event-ID", in: "header", required: false, schema: { type: "string", pattern: "^\\d{1,15}$" }, description: "resume after this event id (wins over the query parameter)" },
  ],
  responses: {
    "200": { description: "the stream (never ends on its own)", content: { "text/event-stream": { schema: { type: "string" } } } },
    "400": { $ref: "#/components/responses/BadRequest" },
    "401": { $ref: "#/components/responses/Unauthorized" },
    "404": { $ref: "#/components/responses/NotFound" },
    "503": { $ref: "#/components/responses/Unavailable" },
  },
  "x-taskrail-access": "viewer",
} as const;

/**
 * The events route as a plugin with its OpenAPI entry: register `plugin` inside the app's
 * auth (any valid token may read its own tenant's events).
 */
export function createEventsPlugin(settings: EventsRouteSettings = {}): {
  plugin: FastifyPluginAsync<EventsRouteDeps>;
  openapi: { method: "GET"; url: string; operation: Record<string, unknown> }[];
} {
  const timing = resolveEventsRouteTiming(settings);
  const plugin: FastifyPluginAsync<EventsRouteDeps> = async (app, deps) => {
    const logger = deps.logger ?? silentLogger;
    app.get(EVENTS_PATH, async (request, reply) => {
      const tenant = tenantOf(request);
      const query = parseEventStreamQuery(request.query);
      const fromHeader = parseLastEventIdHeader(request.headers["last-event-id"]);
      // Refused before any byte is sent: another tenant's task looks exactly like a missing one.
      if (query.taskId !== undefined && (await deps.store.getTask(query.taskId, tenant)) === null) throw new TaskNotFoundError(query.taskId);
      const afterId = fromHeader ?? query.lastEventId ?? (await deps.store.latestTaskEventId());

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        // nginx and similar proxies would otherwise buffer the stream
        "x-accel-buffering": "no",
      });
      const closed = new Promise<void>((resolve) => {
        request.raw.once("close", resolve);
        res.once("close", resolve);
        res.once("error", resolve);
      });
      try {
        await pumpTaskEvents(
          { store: deps.store, events: deps.events, logger },
          res,
          { tenant, taskId: query.taskId, definitionId: query.definitionId, afterId },
          timing,
          closed,
        );
      } finally {
        res.end();
      }
    });
  };
  return { plugin, openapi: [{ method: "GET", url: EVENTS_PATH, operation: { ...EVENTS_OPENAPI_OPERATION } }] };
}
