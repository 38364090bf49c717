// Spawns and stops worker processes (test/support/worker-process.ts) for integration tests, and
// reads their execution journal.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

/** Starts a journaling worker process; resolves once it printed "ready". */
export function startWorkerProcess(dbUrl: string, journal: string, name: string, concurrency = 16): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/worker-process.ts", dbUrl, journal, name, String(concurrency)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`worker ${name} exited early with code ${code}`)));
    child.stdout!.once("data", () => resolve(child));
  });
}

/** SIGKILLs every child still alive. */
export function killAll(children: ChildProcess[]): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}

/** Polls `cond` every 50 ms until it holds, or throws after `timeoutMs`. */
export async function until(cond: () => Promise<boolean>, timeoutMs: number, what = "condition"): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Process ids that started each `taskId/step`, in order, from the journal. */
export function readStarts(journal: string): Map<string, number[]> {
  const starts = new Map<string, number[]>();
  for (const line of readFileSync(journal, "utf8").split("\n")) {
    const [kind, taskId, step, , pid] = line.split(" ");
    if (kind !== "start") continue;
    const key = `${taskId}/${step}`;
    starts.set(key, [...(starts.get(key) ?? []), Number(pid)]);
  }
  return starts;
}
