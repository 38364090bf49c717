// Runs the built `taskrail` binary (dist/cli/main.js) as a child process and collects its output.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The built CLI entry point (the test command builds before testing). */
export const CLI = join(ROOT, "dist", "cli", "main.js");
/** Generous bound for one CLI run (a --wait includes the task's own run time). */
export const RUN_TIMEOUT_MS = 60_000;

/** Exit code and output of one CLI run. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `taskrail <args>` with `env` added to this process's environment. */
export function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`taskrail ${args.join(" ")} did not finish in ${RUN_TIMEOUT_MS}ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, RUN_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
