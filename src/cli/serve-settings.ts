// Resolves what `taskrail serve` runs with: flags, then env, then the config file, then defaults.
import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { ValidationError, errorMessage } from "../core/errors.js";
import { parseServeConfig, type ServeConfig } from "../core/validation/serve-config.js";
import type { LogLevelName } from "../observability/default-logger.js";
import { flagError } from "./cli-errors.js";
import { parseIntFlag, parseKeyValue } from "./flag-parsers.js";
import { shellAllowList } from "./run-worker.js";

/** The flags of `serve` as commander hands them over (`--no-worker` → `worker: false`). */
export interface ServeFlags {
  config?: string;
  dataDir?: string;
  host?: string;
  port?: string;
  worker: boolean;
  scheduler: boolean;
  concurrency?: string;
  queue?: string[];
  executors?: string;
  nodeName?: string;
  label?: string[];
  shellAllow?: string[];
  publicMetrics?: boolean;
  logLevel?: LogLevelName;
}

/** Everything serve needs, resolved. */
export interface ServeSettings {
  db: string;
  host: string;
  port: number;
  worker: boolean;
  scheduler: boolean;
  concurrency?: number;
  queues?: string[];
  executors?: string;
  nodeName?: string;
  labels?: Record<string, string>;
  shellAllow: string[];
  publicMetrics: boolean;
  logLevel: LogLevelName;
}

/** Defaults where neither flag, env nor file says anything. */
export const SERVE_DEFAULTS = { host: "127.0.0.1", port: 8080, logLevel: "info" as LogLevelName };

async function readConfigFile(file: string): Promise<ServeConfig> {
  let text: string;
  try {
    text = await readFile(resolve(file), "utf8");
  } catch (err) {
    throw new ValidationError([{ path: "--config", message: `cannot read ${file}: ${errorMessage(err)}` }], "invalid option");
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text); // YAML is a superset of JSON: one parser reads both.
  } catch (err) {
    throw new ValidationError([{ path: "", message: `is not valid JSON or YAML: ${errorMessage(err)}` }], `invalid config file ${file}`);
  }
  return parseServeConfig(parsed, `invalid config file ${file}`);
}

function envInt(name: string, env: NodeJS.ProcessEnv, min: number, max: number): number | undefined {
  const v = env[name];
  if (v === undefined || v === "") return undefined;
  try {
    return parseIntFlag(name, v, min, max);
  } catch {
    throw flagError(name, `must be an integer between ${min} and ${max}, got "${v}"`);
  }
}

function envList(name: string, env: NodeJS.ProcessEnv): string[] | undefined {
  const v = env[name];
  if (v === undefined || v.trim() === "") return undefined;
  return v.split(",").map((s) => s.trim()).filter(Boolean);
}

/**
 * Resolves the settings. `db`: `--db`, else TASKRAIL_DATABASE_URL, else the file's `db`,
 * else `sqlite:<dataDir>/taskrail.db` (dataDir: `--data-dir`, TASKRAIL_DATA_DIR, the file's,
 * else the working directory; created when missing).
 */
export async function resolveServeSettings(flags: ServeFlags, globalDb: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<ServeSettings> {
  const configPath = flags.config ?? env.TASKRAIL_CONFIG;
  const file: ServeConfig = configPath ? await readConfigFile(configPath) : {};
  const dataDir = flags.dataDir ?? env.TASKRAIL_DATA_DIR ?? file.dataDir;
  let db = globalDb ?? env.TASKRAIL_DATABASE_URL ?? file.db;
  if (db === undefined) {
    if (dataDir !== undefined) {
      mkdirSync(resolve(dataDir), { recursive: true });
      db = `sqlite:${join(dataDir, "taskrail.db")}`;
    } else db = "sqlite:./taskrail.db";
  }
  const labels = flags.label ? Object.fromEntries(flags.label.map((l) => parseKeyValue("--label", l))) : file.labels;
  return {
    db,
    host: flags.host ?? env.TASKRAIL_HOST ?? file.host ?? SERVE_DEFAULTS.host,
    port: flags.port !== undefined ? parseIntFlag("--port", flags.port, 0, 65535) : (envInt("TASKRAIL_PORT", env, 0, 65535) ?? file.port ?? SERVE_DEFAULTS.port),
    // commander sets worker/scheduler false only for --no-worker/--no-scheduler; the file may switch them off too.
    worker: flags.worker && file.worker !== false,
    scheduler: flags.scheduler && file.scheduler !== false,
    concurrency: flags.concurrency !== undefined ? parseIntFlag("--concurrency", flags.concurrency, 1, 10_000) : (envInt("TASKRAIL_CONCURRENCY", env, 1, 10_000) ?? file.concurrency),
    queues: flags.queue ?? envList("TASKRAIL_QUEUES", env) ?? file.queues,
    executors: flags.executors ?? env.TASKRAIL_EXECUTORS ?? file.executors,
    nodeName: flags.nodeName ?? file.nodeName,
    labels,
    shellAllow: shellAllowList([...(flags.shellAllow ?? []), ...(file.shellAllow ?? [])], env.TASKRAIL_SHELL_ALLOW),
    publicMetrics: flags.publicMetrics ?? file.publicMetrics ?? false,
    logLevel: flags.logLevel ?? file.logLevel ?? SERVE_DEFAULTS.logLevel,
  };
}
