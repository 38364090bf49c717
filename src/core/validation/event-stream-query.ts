// The live event stream's query (HTTP `GET /api/v1/events`, the CLI and the library share it).
import { z } from "zod";
import { parseOrThrow } from "./zod-errors.js";

/** An event id as clients send it back: decimal digits (query string, `Last-Event-ID` header). */
export const eventIdSchema = z
  .string()
  .regex(/^\d{1,15}$/, "must be an event id (a non-negative integer)")
  .transform(Number);

/** `GET /api/v1/events` query. */
export const eventStreamQuerySchema = z.strictObject({
  /** Only events of this task. */
  taskId: z.string().min(1, "must not be empty").max(200).optional(),
  /** Only events of tasks made by this definition. */
  definitionId: z.string().min(1, "must not be empty").max(200).optional(),
  /** Resume after this event id (the `Last-Event-ID` header wins when both are given). */
  lastEventId: eventIdSchema.optional(),
});

/** The stream query as clients give it. */
export type EventStreamQuery = z.input<typeof eventStreamQuerySchema>;
/** A validated stream query. */
export type ParsedEventStreamQuery = z.output<typeof eventStreamQuerySchema>;

/** Validates a stream query; throws ValidationError naming each bad field. */
export function parseEventStreamQuery(input: unknown): ParsedEventStreamQuery {
  return parseOrThrow(eventStreamQuerySchema, input ?? {}, "invalid event stream query");
}

/** Validates a `Last-Event-ID` header value (absent or empty: undefined). */
export function parseLastEventIdHeader(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === "") return undefined;
  const parsed = parseOrThrow(z.object({ "Last-Event-ID": eventIdSchema }), { "Last-Event-ID": text.trim() }, "invalid header");
  return parsed["Last-Event-ID"];
}
