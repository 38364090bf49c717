// The definition file schema (DESIGN.md §8), also the body of the definitions API and of the
// library's createDefinition/applyDefinition: validated once here, resolved to a Schedule.
import { z } from "zod";
import { checkCron } from "../cron.js";
import {
  DEFAULT_FIRE_ALL_MAX,
  MISFIRE_POLICIES,
  OVERLAP_POLICIES,
  type MisfirePolicy,
  type Schedule,
  type ScheduleKind,
} from "../definition.js";
import { ValidationError, type FieldError } from "../errors.js";
import type { JsonObject } from "../json.js";
import { DEFAULT_TENANT } from "../task.js";
import { durationSchema, instantSchema, resolveTaskSpec, taskSpecSchema, type TaskSpec } from "./task-spec.js";
import { fieldErrorsFromZod } from "./zod-errors.js";

/** Shortest fixedRate/fixedDelay: the scheduler ticks a few times a second, not faster. */
export const MIN_INTERVAL_MS = 1000;

const intervalSchema = durationSchema.refine((ms) => ms >= MIN_INTERVAL_MS, `must be at least ${MIN_INTERVAL_MS}ms ("1s")`);

const misfireSchema = z.union([
  z.enum(MISFIRE_POLICIES, { error: (i) => `must be one of ${MISFIRE_POLICIES.join(", ")}, got ${JSON.stringify(i.input)}` }),
  z.strictObject({
    policy: z.enum(MISFIRE_POLICIES, { error: (i) => `must be one of ${MISFIRE_POLICIES.join(", ")}, got ${JSON.stringify(i.input)}` }),
    max: z.number().int("must be an integer").min(1, "must be between 1 and 10000").max(10_000, "must be between 1 and 10000").optional(),
  }),
]);

/** The `schedule` of a definition file. Exactly one of cron | fixedRate | fixedDelay | once. */
export const scheduleSpecSchema = z.strictObject({
  cron: z.string().min(1, "must not be empty").max(200).optional(),
  timezone: z.string().min(1, "must not be empty").max(100).optional(),
  fixedRate: intervalSchema.optional(),
  fixedDelay: intervalSchema.optional(),
  once: instantSchema.optional(),
  startAt: instantSchema.optional(),
  misfire: misfireSchema.optional(),
  overlap: z.enum(OVERLAP_POLICIES, { error: (i) => `must be one of ${OVERLAP_POLICIES.join(", ")}, got ${JSON.stringify(i.input)}` }).optional(),
});

/** Definition names: what a repository file and a URL path can both hold. */
const definitionNameSchema = z
  .string()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, "must start with a letter or digit and hold only letters, digits and _ . : -");

/** The definition file / definitions API body. */
export const definitionSpecSchema = z.strictObject({
  name: definitionNameSchema,
  description: z.string().max(2000, "must be at most 2000 characters").optional(),
  enabled: z.boolean().optional(),
  tenant: z.string().min(1, "must not be empty").max(200).optional(),
  schedule: scheduleSpecSchema.optional(),
  task: taskSpecSchema,
});

/** A definition as users write it (file, API body, library call). */
export type DefinitionSpec = z.input<typeof definitionSpecSchema>;
/** The `schedule` of a definition as users write it. */
export type ScheduleSpec = z.input<typeof scheduleSpecSchema>;
type ParsedSchedule = z.output<typeof scheduleSpecSchema>;

/** A validated definition: what the store and the scheduler need, plus the spec to store. */
export interface ResolvedDefinitionSpec {
  name: string;
  description: string | null;
  enabled: boolean;
  /** The tenant the file names, or null (the caller's tenant applies). */
  tenant: string | null;
  schedule: Schedule | null;
  /** The task template, as written. */
  task: TaskSpec;
  /** The whole definition as JSON (instants as ISO strings), stored as given. */
  spec: JsonObject;
}

const KIND_FIELDS: ScheduleKind[] = ["cron", "fixedRate", "fixedDelay", "once"];

function misfireOf(value: ParsedSchedule["misfire"]): MisfirePolicy {
  if (value === undefined) return { policy: "fireOnce", max: DEFAULT_FIRE_ALL_MAX };
  if (typeof value === "string") return { policy: value, max: DEFAULT_FIRE_ALL_MAX };
  return { policy: value.policy, max: value.max ?? DEFAULT_FIRE_ALL_MAX };
}

/** The rules across schedule fields; problems are named `schedule.<field>`. */
function resolveSchedule(s: ParsedSchedule, now: Date, problems: FieldError[]): Schedule | null {
  const kinds = KIND_FIELDS.filter((k) => s[k] !== undefined);
  if (kinds.length !== 1) {
    problems.push({
      path: "schedule",
      message: kinds.length === 0 ? "needs one of cron, fixedRate, fixedDelay, once" : `give exactly one of cron, fixedRate, fixedDelay, once (got ${kinds.join(", ")})`,
    });
    return null;
  }
  if (s.timezone !== undefined && s.cron === undefined) problems.push({ path: "schedule.timezone", message: "applies to cron schedules only" });
  if (s.startAt !== undefined && s.once !== undefined) problems.push({ path: "schedule.startAt", message: "does not apply to once schedules (once is the time)" });
  const common = { misfire: misfireOf(s.misfire), overlap: s.overlap ?? "allow" } as const;
  if (typeof s.misfire === "object" && s.misfire.max !== undefined && s.misfire.policy !== "fireAll") {
    problems.push({ path: "schedule.misfire.max", message: "applies to the fireAll policy only" });
  }
  if (s.cron !== undefined) {
    const problem = checkCron(s.cron, s.timezone ?? null, now);
    if (problem) problems.push({ path: `schedule.${problem.field}`, message: problem.message });
    return { kind: "cron", cron: s.cron.trim(), timezone: s.timezone ?? null, startAt: s.startAt ?? null, ...common };
  }
  if (s.fixedRate !== undefined) return { kind: "fixedRate", everyMs: s.fixedRate, startAt: s.startAt ?? null, ...common };
  if (s.fixedDelay !== undefined) {
    if (s.overlap !== undefined && s.overlap !== "allow") {
      problems.push({ path: "schedule.overlap", message: "does not apply to fixedDelay (its next fire waits for the previous task to end)" });
    }
    return { kind: "fixedDelay", delayMs: s.fixedDelay, startAt: s.startAt ?? null, ...common };
  }
  return { kind: "once", at: s.once!, ...common };
}

/**
 * Validates a definition and resolves its schedule. Throws one ValidationError listing every
 * bad field (`schedule.cron: invalid cron expression …`, `task.steps.0.executor: …`).
 * `knownExecutors`, when given, are checked as at dispatch.
 */
export function resolveDefinitionSpec(
  input: unknown,
  options: { now: Date; knownExecutors?: ReadonlySet<string>; knownCallbacks?: ReadonlySet<string> },
): ResolvedDefinitionSpec {
  const parsed = definitionSpecSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error), "invalid definition");
  const d = parsed.data;
  const problems: FieldError[] = [];
  const schedule = d.schedule ? resolveSchedule(d.schedule, options.now, problems) : null;
  // The task template must also pass what dispatch checks beyond the schema (unique step
  // names, templates, known executors), so a bad template fails here, not at 3 a.m.
  const rawTask = (input as { task: TaskSpec }).task;
  if (rawTask.runAt !== undefined) problems.push({ path: "task.runAt", message: "not allowed in a definition: the schedule sets when tasks run" });
  try {
    resolveTaskSpec(rawTask, { now: options.now, knownExecutors: options.knownExecutors, knownCallbacks: options.knownCallbacks });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    problems.push(...err.fields.map((f) => ({ path: f.path ? `task.${f.path}` : "task", message: f.message })));
  }
  if (problems.length > 0) throw new ValidationError(problems, "invalid definition");
  return {
    name: d.name,
    description: d.description ?? null,
    enabled: d.enabled ?? true,
    tenant: d.tenant ?? null,
    schedule,
    task: rawTask,
    // Through JSON: Dates given by library callers become ISO strings, as a file would hold.
    spec: JSON.parse(JSON.stringify(input)) as JsonObject,
  };
}

/** The tenant a definition belongs to: the file's, the caller's, else `default`. */
export function definitionTenant(spec: ResolvedDefinitionSpec, callerTenant: string | null): string {
  return spec.tenant ?? callerTenant ?? DEFAULT_TENANT;
}
