// Turns zod issues into taskrail's ValidationError: one entry per failing field, path dotted.
import type { z } from "zod";
import { ValidationError, type FieldError } from "../errors.js";

/** The field errors of a failed zod parse, paths prefixed with `prefix`. */
export function fieldErrorsFromZod(error: z.ZodError, prefix = ""): FieldError[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
    let message = issue.message;
    if (issue.code === "unrecognized_keys") message = `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    return { path, message };
  });
}

/** Parses `input` with `schema` or throws one ValidationError listing every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, context?: string, prefix = ""): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(fieldErrorsFromZod(result.error, prefix), context);
  return result.data;
}
