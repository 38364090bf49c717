// The `taskrail serve` configuration (config file, env and flags resolve to this), validated.
import { z } from "zod";
import { parseOrThrow } from "./zod-errors.js";

const queueName = z.string().min(1, "must not be empty").max(200);

/** The serve configuration file (JSON or YAML); every field optional, flags and env win. */
export const serveConfigSchema = z.strictObject({
  db: z.string().min(1, "must not be empty").optional(),
  dataDir: z.string().min(1, "must not be empty").optional(),
  host: z.string().min(1, "must not be empty").optional(),
  port: z.number().int("must be an integer").min(0, "must be between 0 and 65535").max(65535, "must be between 0 and 65535").optional(),
  worker: z.boolean().optional(),
  scheduler: z.boolean().optional(),
  concurrency: z.number().int("must be an integer").min(1, "must be between 1 and 10000").max(10_000, "must be between 1 and 10000").optional(),
  queues: z.array(queueName).min(1, "must name at least one queue").optional(),
  executors: z.string().min(1, "must not be empty").optional(),
  nodeName: z.string().min(1).max(200).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  shellAllow: z.array(z.string().min(1)).optional(),
  publicMetrics: z.boolean().optional(),
  logLevel: z.enum(["debug", "info", "warn", "error", "silent"]).optional(),
});

/** A serve configuration as written. */
export type ServeConfig = z.output<typeof serveConfigSchema>;

/** Validates a serve configuration; errors name each bad field (prefixed with `context`, e.g. the file name). */
export function parseServeConfig(input: unknown, context: string): ServeConfig {
  return parseOrThrow(serveConfigSchema, input ?? {}, context);
}
