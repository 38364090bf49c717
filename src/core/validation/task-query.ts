// The task list query (library, CLI and HTTP share it): filters and paging, validated.
import { z } from "zod";
import { TASK_STATUSES } from "../status.js";
import { instantSchema } from "./task-spec.js";
import { parseOrThrow } from "./zod-errors.js";

const statusSchema = z.enum(TASK_STATUSES, { error: (issue) => `must be one of ${TASK_STATUSES.join(", ")}, got ${JSON.stringify(issue.input)}` });
// One status or a list: a single value is read as a list of one, so errors name `status.N`.
const statusList = z.preprocess((v) => (typeof v === "string" ? [v] : v), z.array(statusSchema));

/** Task list query. */
export const taskQuerySchema = z.strictObject({
  status: statusList.optional(),
  type: z.string().min(1).optional(),
  index: z.string().min(1).optional(),
  indexType: z.string().optional(),
  creator: z.string().min(1).optional(),
  queue: z.string().min(1).optional(),
  definitionId: z.string().min(1).optional(),
  createdFrom: instantSchema.optional(),
  createdTo: instantSchema.optional(),
  limit: z.number().int("must be an integer").min(1, "must be between 1 and 1000").max(1000, "must be between 1 and 1000").optional(),
  cursor: z.string().min(1).nullable().optional(),
});

/** A task list query as users give it. */
export type TaskQuery = z.input<typeof taskQuerySchema>;
/** A validated task list query. */
export type ParsedTaskQuery = z.output<typeof taskQuerySchema>;

/** Validates a list query; throws ValidationError naming each bad field. */
export function parseTaskQuery(input: unknown): ParsedTaskQuery {
  return parseOrThrow(taskQuerySchema, input ?? {}, "invalid task query");
}
