// The limit input (library, CLI): scope, name, max running, rate "n per interval".
import { z } from "zod";
import { ValidationError } from "../errors.js";
import type { TaskLimit } from "../task-limit.js";
import { durationSchema } from "./task-spec.js";
import { parseOrThrow } from "./zod-errors.js";

/** A limit as the library, CLI and API take it. */
export const limitSpecSchema = z.strictObject({
  scope: z.enum(["queue", "type"]),
  name: z.string().min(1, "must not be empty").max(200),
  maxRunning: z.number().int("must be an integer").min(0, "must be an integer >= 0").nullable().optional(),
  rate: z
    .strictObject({
      count: z.number().int("must be an integer").min(1, "must be an integer >= 1"),
      interval: durationSchema.refine((ms) => ms >= 1, "must be at least 1ms"),
    })
    .nullable()
    .optional(),
});

/** A limit as users write it: `{ scope: "queue", name: "emails", maxRunning: 2, rate: { count: 10, interval: "1s" } }`. */
export type LimitSpec = z.input<typeof limitSpecSchema>;

/** Validates a limit; throws ValidationError naming each bad field. */
export function resolveLimitSpec(input: unknown): TaskLimit {
  const spec = parseOrThrow(limitSpecSchema, input, "invalid limit");
  if (spec.rate && spec.scope !== "queue") {
    throw new ValidationError([{ path: "rate", message: "rate limits apply to queues only" }], "invalid limit");
  }
  return {
    scope: spec.scope,
    name: spec.name,
    maxRunning: spec.maxRunning ?? null,
    rate: spec.rate ? { count: spec.rate.count, intervalMs: spec.rate.interval } : null,
  };
}
