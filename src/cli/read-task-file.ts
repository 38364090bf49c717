// Reads a task file (DESIGN.md §8): JSON or YAML by extension, else JSON then YAML. Returns the
// raw object; validation is resolveTaskSpec's job, so the CLI and the API report the same fields.
import { readFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { ValidationError, errorMessage } from "../core/errors.js";
import { isPlainObject } from "../core/json.js";

/** Parses the text of a task (or any JSON/YAML object) file named `file` (used in errors). */
export function parseTaskFileText(text: string, file: string): Record<string, unknown> {
  const ext = extname(file).toLowerCase();
  let value: unknown;
  if (ext === ".json") value = parseWith(() => JSON.parse(text), file, "JSON");
  else if (ext === ".yaml" || ext === ".yml") value = parseWith(() => parseYaml(text), file, "YAML");
  else {
    // Unknown extension: JSON is a subset of YAML in practice, but JSON's errors are clearer
    // for JSON input, so try it first and fall back to YAML.
    try {
      value = JSON.parse(text);
    } catch {
      value = parseWith(() => parseYaml(text), file, "JSON or YAML");
    }
  }
  if (!isPlainObject(value)) {
    throw new ValidationError([{ path: "", message: `must hold an object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}` }], `invalid task file ${file}`);
  }
  return value;
}

function parseWith(parse: () => unknown, file: string, kind: string): unknown {
  try {
    return parse();
  } catch (err) {
    throw new ValidationError([{ path: "", message: `not valid ${kind}: ${errorMessage(err).split("\n")[0].replace(/:\s*$/, "")}` }], `invalid task file ${file}`);
  }
}

/** Reads and parses a task file, path resolved against the cwd. */
export async function readTaskFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(resolve(file), "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : errorMessage(err);
    throw new ValidationError([{ path: "--file", message: `cannot read ${file}: ${why}` }], "invalid option");
  }
  return parseTaskFileText(text, file);
}
