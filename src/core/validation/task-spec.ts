// The task file schema (DESIGN.md §8), also the body of the dispatch API and of the library's
// dispatch: validated once here, then resolved to a NewTask with units in ms.
import { z } from "zod";
import { BACKOFF_KINDS, DEFAULT_BACKOFF, type BackoffPolicy } from "../backoff.js";
import { parseDurationMs } from "../duration.js";
import { ValidationError, type FieldError } from "../errors.js";
import { newTaskId } from "../ids.js";
import type { JsonObject, JsonValue } from "../json.js";
import { checkTemplates } from "../render.js";
import { DEFAULT_QUEUE, DEFAULT_TENANT, type NewTask } from "../task.js";
import { parseOrThrow } from "./zod-errors.js";

/** A duration field: ms number or "30s"-style string, parsed to ms. */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const parsed = parseDurationMs(value);
  if (!parsed.ok) {
    ctx.addIssue({ code: "custom", message: parsed.message });
    return z.NEVER;
  }
  return parsed.ms;
});

const nameSchema = z
  .string()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters");

const queueSchema = z
  .string()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  .regex(/^[A-Za-z0-9_.:=\-/]+$/, "may hold only letters, digits and _ . : = - /");

/** A point in time: ISO-8601 string, epoch ms, or Date. */
export const instantSchema = z.union([z.string(), z.number(), z.date()]).transform((value, ctx) => {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime()) || (typeof value === "string" && !/^\d{4}-\d{2}-\d{2}/.test(value))) {
    ctx.addIssue({ code: "custom", message: `must be an ISO-8601 time or epoch ms, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return date;
});

const paramsSchema = z.record(z.string(), z.json());

/** A step's backoff in the task file. */
export const backoffSpecSchema = z.strictObject({
  kind: z.enum(BACKOFF_KINDS),
  delay: durationSchema,
  max: durationSchema.optional(),
  jitter: z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1").optional(),
});

/** One step in the task file. */
export const stepSpecSchema = z.strictObject({
  name: nameSchema,
  executor: nameSchema,
  alias: z.string().max(200).optional(),
  params: paramsSchema.optional(),
  payload: z.json().optional(),
  timeout: durationSchema.optional(),
  tries: z.number().int("must be an integer").min(1, "must be >= 1").max(1000, "must be <= 1000").optional(),
  backoff: backoffSpecSchema.optional(),
  skipOnFailed: z.boolean().optional(),
  queue: queueSchema.optional(),
});

/** The task file / dispatch body. */
export const taskSpecSchema = z.strictObject({
  type: nameSchema,
  name: z.string().max(500).optional(),
  index: z.string().min(1).max(500).optional(),
  indexType: z.string().min(1).max(200).optional(),
  queue: queueSchema.optional(),
  priority: z.number().int("must be an integer").min(-1_000_000).max(1_000_000).optional(),
  runAt: instantSchema.optional(),
  timeout: durationSchema.optional(),
  startTimeout: durationSchema.optional(),
  params: paramsSchema.optional(),
  payload: z.json().optional(),
  callbacks: z.array(nameSchema).max(20).optional(),
  creator: z.string().max(200).optional(),
  steps: z.array(stepSpecSchema).min(1, "a task needs at least one step").max(500, "at most 500 steps"),
});

/** A task as users write it (file, API body, library call). */
export type TaskSpec = z.input<typeof taskSpecSchema>;
/** A step as users write it. */
export type StepSpec = z.input<typeof stepSpecSchema>;
type ParsedTaskSpec = z.output<typeof taskSpecSchema>;

/** Where a task comes from, besides its spec. */
export interface ResolveTaskContext {
  tenant?: string;
  /** Overrides `creator` from the spec when set (e.g. the API token's id). */
  creator?: string | null;
  now: Date;
  definitionId?: string | null;
  scheduledAt?: Date | null;
  /** When given, every step's executor must be one of these. */
  knownExecutors?: ReadonlySet<string>;
  /** When given, every callback must be one of these. */
  knownCallbacks?: ReadonlySet<string>;
}

/** Checks the rules a schema cannot: unique step names, templates, known executors. */
function crossCheck(spec: ParsedTaskSpec, ctx: ResolveTaskContext): FieldError[] {
  const problems: FieldError[] = [];
  const seen = new Set<string>();
  spec.steps.forEach((step, i) => {
    if (seen.has(step.name)) problems.push({ path: `steps.${i}.name`, message: `duplicate step name "${step.name}"` });
    seen.add(step.name);
    if (ctx.knownExecutors && !ctx.knownExecutors.has(step.executor)) {
      problems.push({ path: `steps.${i}.executor`, message: `unknown executor "${step.executor}"` });
    }
    const earlier = spec.steps.slice(0, i).map((s) => s.name);
    for (const p of checkTemplates((step.params ?? {}) as JsonValue, earlier)) {
      problems.push({ path: `steps.${i}.params${p.path ? `.${p.path}` : ""}`, message: p.message });
    }
    if (step.backoff?.max !== undefined && step.backoff.max < step.backoff.delay) {
      problems.push({ path: `steps.${i}.backoff.max`, message: "must be >= backoff.delay" });
    }
  });
  for (const p of checkTemplates((spec.params ?? {}) as JsonValue, [])) {
    problems.push({ path: `params${p.path ? `.${p.path}` : ""}`, message: p.message });
  }
  if ((spec.index === undefined) !== (spec.indexType === undefined) && spec.indexType !== undefined) {
    problems.push({ path: "index", message: "is required when indexType is set" });
  }
  spec.callbacks?.forEach((name, i) => {
    if (ctx.knownCallbacks && !ctx.knownCallbacks.has(name)) problems.push({ path: `callbacks.${i}`, message: `unknown callback "${name}"` });
  });
  return problems;
}

function resolveBackoff(spec: ParsedTaskSpec["steps"][number]["backoff"]): BackoffPolicy {
  if (!spec) return DEFAULT_BACKOFF;
  return {
    kind: spec.kind,
    delayMs: spec.delay,
    maxMs: spec.max ?? Math.max(DEFAULT_BACKOFF.maxMs, spec.delay),
    jitter: spec.jitter ?? 0,
  };
}

/**
 * Validates a task spec and resolves it to a NewTask (id assigned, defaults applied, units
 * in ms). Throws one ValidationError listing every bad field; nothing is written before.
 */
export function resolveTaskSpec(input: unknown, ctx: ResolveTaskContext): NewTask {
  const spec = parseOrThrow(taskSpecSchema, input, "invalid task");
  const problems = crossCheck(spec, ctx);
  if (problems.length > 0) throw new ValidationError(problems, "invalid task");
  return {
    id: newTaskId(),
    tenant: ctx.tenant ?? DEFAULT_TENANT,
    type: spec.type,
    name: spec.name ?? null,
    index: spec.index ?? null,
    indexType: spec.index !== undefined ? (spec.indexType ?? "") : null,
    queue: spec.queue ?? DEFAULT_QUEUE,
    priority: spec.priority ?? 0,
    creator: ctx.creator !== undefined && ctx.creator !== null ? ctx.creator : (spec.creator ?? null),
    params: (spec.params ?? {}) as JsonObject,
    payload: (spec.payload ?? null) as JsonValue,
    steps: spec.steps.map((s) => ({
      name: s.name,
      alias: s.alias ?? null,
      executor: s.executor,
      params: (s.params ?? {}) as JsonObject,
      payload: (s.payload ?? null) as JsonValue,
      queue: s.queue ?? null,
      maxTries: s.tries ?? 1,
      backoff: resolveBackoff(s.backoff),
      timeoutMs: s.timeout ?? null,
      skipOnFailed: s.skipOnFailed ?? false,
    })),
    runAt: spec.runAt ?? ctx.now,
    timeoutMs: spec.timeout ?? null,
    startTimeoutMs: spec.startTimeout ?? null,
    callbacks: spec.callbacks ?? [],
    definitionId: ctx.definitionId ?? null,
    scheduledAt: ctx.scheduledAt ?? null,
    createdAt: ctx.now,
  };
}
