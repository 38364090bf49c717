// What every command shares: the global `--db` / `--server` options, opening a Taskrail (or an
// API client) for one command, and running an action so its errors are reported and mapped to
// an exit code.
import { userInfo } from "node:os";
import type { Command } from "commander";
import { StoreUnavailableError, TaskrailError, errorMessage } from "../core/errors.js";
import { createTaskrail, type Taskrail, type TaskrailOptions } from "../runtime/taskrail.js";
import { flagError, reportError } from "./cli-errors.js";
import { HttpApiClient } from "./http-api-client.js";
import type { CliApi } from "./task-api.js";
import { EXIT, type ExitCode } from "./exit-codes.js";

/** Options every command accepts (declared on the program). */
export interface GlobalOptions {
  /** Store URL; else env TASKRAIL_DATABASE_URL, else `sqlite:./taskrail.db` (resolved by openStore). */
  db?: string;
  /** A `taskrail serve` to talk to instead of the store (task commands); else env TASKRAIL_SERVER_URL. */
  server?: string;
  /** Bearer token for `--server`; else env TASKRAIL_TOKEN. */
  token?: string;
}

/** Where the task commands send their calls: a server, or (null) the store. */
export function resolveServerTarget(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): { baseUrl: string; token: string } | null {
  const server = options.server ?? (env.TASKRAIL_SERVER_URL || undefined);
  if (server === undefined) {
    if (options.token !== undefined) throw flagError("--token", "is only used with --server URL (or env TASKRAIL_SERVER_URL)");
    return null;
  }
  // Both flags on one command line contradict each other; an env default of either does not.
  if (options.server !== undefined && options.db !== undefined) throw flagError("--server", "give either --server (talk to the API) or --db (open the store), not both");
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw flagError(options.server !== undefined ? "--server" : "TASKRAIL_SERVER_URL", `must be an http(s) URL like http://127.0.0.1:8080, got ${JSON.stringify(server)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw flagError(options.server !== undefined ? "--server" : "TASKRAIL_SERVER_URL", `must be an http(s) URL, got ${JSON.stringify(server)}`);
  }
  const token = options.token ?? (env.TASKRAIL_TOKEN || undefined);
  if (token === undefined) throw flagError("--token", "a token is needed with --server: give --token T or set TASKRAIL_TOKEN (taskrail token create)");
  return { baseUrl: url.toString().replace(/\/+$/, ""), token };
}

/** The global options as seen from a (sub)command. */
export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** Recorded as `creator` of tasks dispatched from the CLI: `cli:<os user>`. */
function cliCreator(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return "cli";
  }
}

/**
 * Opens a Taskrail on the command's store. Errors other than taskrail's own (a folder that
 * does not exist, a refused connection) become STORE_UNAVAILABLE naming the URL.
 */
export async function openCliTaskrail(cmd: Command, options: Omit<TaskrailOptions, "db"> = {}): Promise<Taskrail> {
  const global = globalOptions(cmd);
  if (global.server !== undefined) {
    throw flagError("--server", `"${cmd.name()}" works on the store directly; --server is for dispatch, list, show, cancel, retry, skip, logs and defs`);
  }
  const db = global.db ?? process.env.TASKRAIL_DATABASE_URL ?? undefined;
  try {
    return await createTaskrail({ creator: cliCreator(), builtins: false, ...options, db });
  } catch (err) {
    if (err instanceof TaskrailError) throw err;
    throw new StoreUnavailableError(`cannot open store ${db ?? "sqlite:./taskrail.db"}: ${errorMessage(err)}`, { cause: err });
  }
}

/** Opens a Taskrail for the length of `fn` and closes it afterwards, whatever happens. */
export async function withTaskrail<T>(cmd: Command, fn: (tr: Taskrail) => Promise<T>): Promise<T> {
  const tr = await openCliTaskrail(cmd);
  try {
    return await fn(tr);
  } finally {
    await tr.close();
  }
}

/**
 * Runs `fn` with the task operations of this command line: over HTTP when a server is given
 * (`--server` or TASKRAIL_SERVER_URL), else on a Taskrail opened on the store for the call.
 */
export async function withTaskApi<T>(cmd: Command, fn: (api: CliApi) => Promise<T>): Promise<T> {
  const target = resolveServerTarget(globalOptions(cmd));
  if (target !== null) return fn(new HttpApiClient(target));
  return withTaskrail(cmd, (tr) => fn(tr.client));
}

/**
 * Runs a command body: its result (default 0) becomes the process exit code; a throw is
 * reported (`--json` adds the error document on stdout) and mapped to its exit code.
 */
export async function runAction(json: boolean | undefined, body: () => Promise<ExitCode | void>): Promise<void> {
  try {
    process.exitCode = (await body()) ?? EXIT.ok;
  } catch (err) {
    process.exitCode = reportError(err, { json });
  }
}

/** Resolves after `ms`; polling loops use it between store reads. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
