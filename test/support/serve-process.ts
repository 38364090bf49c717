// Runs a real `taskrail serve --port 0` (the built CLI) on a temp SQLite file for the dashboard
// tests: reads its URL and first admin token from its output, creates more tokens with
// `taskrail token create`, and stops it with SIGTERM.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { CLI, ROOT, runCli } from "./cli-runner.js";
import { tempSqliteUrl } from "./temp-sqlite.js";

/** How long serve may take to print its URL and token (a cold start on a busy 2-core box). */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/** A running `taskrail serve`. */
export interface ServeProcess {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The admin token serve printed on its first start. */
  adminToken: string;
  /** The store URL (for `taskrail token create --db`). */
  dbUrl: string;
  /** Everything it printed so far (for failure messages). */
  output(): string;
  /** Creates a token with `taskrail token create` and returns its secret. */
  createToken(role: "admin" | "operator" | "viewer", tenant?: string): Promise<string>;
  /** Calls the API with the admin token; throws on a non-2xx answer. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** SIGTERM, wait for the exit, remove the database folder. */
  stop(): Promise<void>;
}

/** Starts serve with the examples' executors (and any extra flags). */
export async function startServe(extraArgs: string[] = []): Promise<ServeProcess> {
  const db = tempSqliteUrl("taskrail-dashboard-");
  const child = spawn(
    process.execPath,
    [CLI, "serve", "--db", db.url, "--port", "0", "--executors", join(ROOT, "examples", "executors.js"), "--log-level", "warn", ...extraArgs],
    { cwd: ROOT, env: { ...process.env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  try {
    const { url, adminToken } = await waitForStart(child, () => out);
    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    };
    return {
      url,
      adminToken,
      dbUrl: db.url,
      output: () => out,
      api,
      createToken: async (role, tenant) => {
        const args = ["token", "create", "--db", db.url, "--role", role, "--json"];
        if (tenant !== undefined) args.push("--tenant", tenant);
        const result = await runCli(args);
        if (result.code !== 0) throw new Error(`token create failed (${result.code}): ${result.stderr}${result.stdout}`);
        return (JSON.parse(result.stdout) as { token: string }).token;
      },
      stop: async () => {
        await stopChild(child);
        db.cleanup();
      },
    };
  } catch (error) {
    await stopChild(child);
    db.cleanup();
    throw error;
  }
}

function waitForStart(child: ChildProcess, output: () => string): Promise<{ url: string; adminToken: string }> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const text = output();
      const url = /listening on (http:\/\/\S+)/.exec(text)?.[1];
      const adminToken = /admin token[^:]*: (\S+)/.exec(text)?.[1];
      if (url && adminToken) {
        done();
        resolve({ url: url.replace(/\/$/, ""), adminToken });
      }
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`taskrail serve exited (${code}) before it was ready:\n${output()}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`taskrail serve did not print its URL and admin token in ${START_TIMEOUT_MS}ms:\n${output()}`));
    }, START_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      child.stdout!.off("data", check);
      child.off("exit", onExit);
    };
    child.stdout!.on("data", check);
    child.on("exit", onExit);
    check();
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
