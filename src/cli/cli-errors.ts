// How the CLI reports errors: `error [CODE]: message` (+ one line per bad field) on stderr, and
// with `--json` also `{ "error": { code, message, fields? } }` on stdout; returns the exit code.
import { TaskrailError, ValidationError, errorMessage, type FieldError } from "../core/errors.js";
import { EXIT, exitCodeForError, type ExitCode } from "./exit-codes.js";

/** The code reported for errors that carry no taskrail code. */
export const INTERNAL_ERROR_CODE = "INTERNAL";

/** A bad flag value: a VALIDATION_FAILED error whose field is the flag, e.g. `--param`. */
export function flagError(flag: string, message: string): ValidationError {
  return new ValidationError([{ path: flag, message }], "invalid option");
}

/** The JSON document printed for an error with `--json`. */
export interface ErrorDocument {
  error: { code: string; message: string; fields?: FieldError[] };
}

/** The `{ error }` document of any thrown value. */
export function errorDocument(err: unknown): ErrorDocument {
  if (err instanceof ValidationError) return { error: { code: err.code, message: err.message, fields: err.fields } };
  if (err instanceof TaskrailError) return { error: { code: err.code, message: err.message } };
  return { error: { code: INTERNAL_ERROR_CODE, message: errorMessage(err) } };
}

/**
 * The headline of a ValidationError without its field list (the fields follow on their own
 * lines), e.g. `invalid task file hello.yaml` instead of repeating every field twice.
 */
function validationHeadline(err: ValidationError): string {
  const summary = err.fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join("; ");
  if (err.fields.length > 0 && err.message.endsWith(summary)) {
    const head = err.message.slice(0, err.message.length - summary.length).replace(/:\s*$/, "");
    return head || "invalid input";
  }
  return err.message;
}

/** Prints `err` as the CLI does and returns the exit code it maps to. */
export function reportError(err: unknown, options: { json?: boolean } = {}): ExitCode {
  const doc = errorDocument(err);
  if (err instanceof ValidationError) {
    const lines = [`error [${err.code}]: ${validationHeadline(err)}`, ...err.fields.map((f) => `  ${f.path || "(input)"}: ${f.message}`)];
    console.error(lines.join("\n"));
  } else if (err instanceof TaskrailError) {
    console.error(`error [${err.code}]: ${err.message}`);
  } else {
    console.error(`error: ${doc.error.message}`);
    // A bug is easier to report with its stack; only shown on demand to keep output clean.
    if (process.env.TASKRAIL_DEBUG && err instanceof Error && err.stack) console.error(err.stack);
  }
  if (options.json) console.log(JSON.stringify(doc, null, 2));
  return err instanceof TaskrailError ? exitCodeForError(err.code) : EXIT.internal;
}
