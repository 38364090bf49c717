// What every command shares: the global `--db` option, opening a Taskrail for one command,
// and running an action so its errors are reported and mapped to an exit code.
import { userInfo } from "node:os";
import type { Command } from "commander";
import { StoreUnavailableError, TaskrailError, errorMessage } from "../core/errors.js";
import { createTaskrail, type Taskrail, type TaskrailOptions } from "../runtime/taskrail.js";
import { reportError } from "./cli-errors.js";
import { EXIT, type ExitCode } from "./exit-codes.js";

/** Options every command accepts (declared on the program). */
export interface GlobalOptions {
  /** Store URL; else env TASKRAIL_DATABASE_URL, else `sqlite:./taskrail.db` (resolved by openStore). */
  db?: string;
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
  const db = globalOptions(cmd).db ?? process.env.TASKRAIL_DATABASE_URL ?? undefined;
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
