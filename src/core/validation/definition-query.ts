// The definition list query (library, CLI and HTTP share it): filters and paging, validated.
import { z } from "zod";
import { parseOrThrow } from "./zod-errors.js";

/** Definition list query. */
export const definitionQuerySchema = z.strictObject({
  enabled: z.boolean().optional(),
  namePrefix: z.string().min(1).max(200).optional(),
  limit: z.number().int("must be an integer").min(1, "must be between 1 and 1000").max(1000, "must be between 1 and 1000").optional(),
  cursor: z.string().min(1).nullable().optional(),
});

/** A definition list query as users give it. */
export type DefinitionQuery = z.input<typeof definitionQuerySchema>;

/** Validates a definition list query; throws ValidationError naming each bad field. */
export function parseDefinitionQuery(input: unknown): z.output<typeof definitionQuerySchema> {
  return parseOrThrow(definitionQuerySchema, input ?? {}, "invalid definition query");
}
