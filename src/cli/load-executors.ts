// Loads the user's executors module (DESIGN.md §8): its default export maps executor names to
// functions; an optional named export `callbacks` maps callback names to functions.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { TaskrailError, errorMessage } from "../core/errors.js";
import { isPlainObject } from "../core/json.js";
import type { Callback, Executor } from "../core/step-context.js";

/** What an executors module provides. */
export interface LoadedExecutors {
  /** Absolute path of the module. */
  path: string;
  executors: Record<string, Executor>;
  callbacks: Record<string, Callback>;
}

function configError(message: string, cause?: unknown): TaskrailError {
  return new TaskrailError("CONFIG_INVALID", message, cause === undefined ? undefined : { cause });
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

/** Checks that `value` is an object of functions; the error names the module, export and key. */
function functionMap<T>(value: unknown, modulePath: string, exportName: string): Record<string, T> {
  if (!isPlainObject(value)) {
    throw configError(`executors module ${modulePath}: ${exportName} export must be an object mapping names to functions, got ${describe(value)}`);
  }
  for (const [key, fn] of Object.entries(value)) {
    if (typeof fn !== "function") {
      throw configError(`executors module ${modulePath}: ${exportName} export key "${key}" must be a function, got ${describe(fn)}`);
    }
  }
  return value as Record<string, T>;
}

/**
 * Imports the module at `file` (resolved against `baseDir`, default the cwd) and checks its
 * shape. Throws CONFIG_INVALID naming the module (and the bad key) on any problem.
 */
export async function loadExecutorsModule(file: string, baseDir: string = process.cwd()): Promise<LoadedExecutors> {
  const path = resolve(baseDir, file);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ERR_MODULE_NOT_FOUND" && errorMessage(err).includes(path) ? "no such file" : errorMessage(err);
    throw configError(`cannot load executors module ${path}: ${why}`, err);
  }
  if (!("default" in mod) || mod.default === undefined) {
    throw configError(`executors module ${path} has no default export (expected \`export default { name: fn, … }\`)`);
  }
  const executors = functionMap<Executor>(mod.default, path, "default");
  const callbacks = mod.callbacks === undefined ? {} : functionMap<Callback>(mod.callbacks, path, "callbacks");
  return { path, executors, callbacks };
}
