// The built-in executors (`noop`, `sleep`, `shell`, `http`) under their registered names.
import type { Executor } from "../core/step-context.js";
import { createHttpExecutor, type HttpExecutorOptions } from "./http.js";
import { noopExecutor } from "./noop.js";
import { createShellExecutor, type ShellExecutorOptions } from "./shell.js";
import { sleepExecutor } from "./sleep.js";

/** Options of the built-in executors, one key per executor that takes any. */
export interface BuiltinExecutorOptions {
  /** `shell`'s allow-list and limits. @default {} (an empty allow-list: every command refused) */
  shell?: ShellExecutorOptions;
  /** `http`'s timeout and body limit. @default {} */
  http?: HttpExecutorOptions;
}

/**
 * The built-in executors keyed by their names: `noop`, `sleep`, `shell`, `http`.
 * `shell` is always present so steps naming it are claimable, but it refuses every command
 * until `options.shell.allow` lists some. Bad options throw a ValidationError.
 */
export function createBuiltinExecutors(options: BuiltinExecutorOptions = {}): Record<string, Executor> {
  return {
    noop: noopExecutor,
    sleep: sleepExecutor,
    shell: createShellExecutor(options.shell),
    http: createHttpExecutor(options.http),
  };
}
