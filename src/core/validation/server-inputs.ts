// Inputs of the operator calls and reads the server exposes (library, HTTP and CLI share them):
// retry/skip bodies, log and audit queries, the statistics window and API token specs.
import { z } from "zod";
import { ALL_TENANTS, ROLES, type Role } from "../api-token.js";
import { ValidationError } from "../errors.js";
import { durationSchema, instantSchema } from "./task-spec.js";
import { parseOrThrow } from "./zod-errors.js";

const limitSchema = z.number().int("must be an integer").min(1, "must be between 1 and 1000").max(1000, "must be between 1 and 1000");

/** A tenant name: what tasks, tokens and definitions are bound to. */
export const tenantSchema = z
  .string()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  .regex(/^[A-Za-z0-9_.:\-]+$/, "may hold only letters, digits and _ . : -");

/** Body of a retry: restart from the failed step, or from the step named by `from`. */
export const retryInputSchema = z.strictObject({
  from: z.string().min(1, "must not be empty").optional(),
});

/** Body of a skip: the failed step to mark skipped. */
export const skipInputSchema = z.strictObject({
  step: z.string().min(1, "must not be empty"),
});

/** A page of a task's log: lines after `afterId`, optionally of one step (by index). */
export const logQuerySchema = z.strictObject({
  afterId: z.number().int("must be an integer").min(0, "must be >= 0").optional(),
  limit: limitSchema.optional(),
  step: z.number().int("must be an integer").min(0, "must be >= 0").optional(),
  /** HTTP only: keep the response open and stream new lines (server-sent events) until the task ends. */
  follow: z.boolean().optional(),
});

const MAX_STATS_WINDOW_MS = 90 * 86_400_000;

/** The statistics window: `1h`, `24h`, `7d` …, cut into `buckets` throughput buckets. */
export const statsQuerySchema = z.strictObject({
  window: durationSchema
    .refine((ms) => ms >= 60_000, "must be at least 1m")
    .refine((ms) => ms <= MAX_STATS_WINDOW_MS, "must be at most 90d")
    .optional(),
  buckets: z.number().int("must be an integer").min(1, "must be between 1 and 500").max(500, "must be between 1 and 500").optional(),
});

/** A query of the audit log. */
export const auditQuerySchema = z.strictObject({
  tenant: z.union([tenantSchema, z.literal(ALL_TENANTS)]).optional(),
  action: z.string().min(1).max(200).optional(),
  tokenId: z.string().min(1).max(200).optional(),
  from: instantSchema.optional(),
  limit: limitSchema.optional(),
  cursor: z.number().int("must be an integer").min(1, "must be >= 1").optional(),
});

/** A token to create: its role, its tenant (`*` for admins, who see every tenant) and a name. */
export const tokenSpecSchema = z.strictObject({
  tenant: z.union([tenantSchema, z.literal(ALL_TENANTS)]).optional(),
  role: z.enum(ROLES as [Role, ...Role[]], { error: (issue) => `must be one of ${ROLES.join(", ")}, got ${JSON.stringify(issue.input)}` }),
  name: z.string().max(200, "must be at most 200 characters").optional(),
});

/** A token spec as users write it. */
export type TokenSpec = z.input<typeof tokenSpecSchema>;

/** A validated token spec: admin tokens always have tenant `*`, others a tenant name. */
export interface ResolvedTokenSpec {
  tenant: string;
  role: Role;
  name: string | null;
}

/**
 * Validates a token spec. An admin token covers every tenant (tenant omitted or `*`); an
 * operator or viewer token needs one tenant name.
 */
export function resolveTokenSpec(input: unknown): ResolvedTokenSpec {
  const spec = parseOrThrow(tokenSpecSchema, input, "invalid token");
  if (spec.role === "admin") {
    if (spec.tenant !== undefined && spec.tenant !== ALL_TENANTS) {
      throw new ValidationError([{ path: "tenant", message: `admin tokens cover every tenant: use "*" or leave it out, got "${spec.tenant}"` }], "invalid token");
    }
    return { tenant: ALL_TENANTS, role: "admin", name: spec.name ?? null };
  }
  if (spec.tenant === undefined || spec.tenant === ALL_TENANTS) {
    throw new ValidationError([{ path: "tenant", message: `${spec.role} tokens are bound to one tenant: name it` }], "invalid token");
  }
  return { tenant: spec.tenant, role: spec.role, name: spec.name ?? null };
}

/** The `{id}` path parameter of a task, token or node route. */
export const idParamsSchema = z.strictObject({
  id: z.string().min(1, "must not be empty").max(200, "must be at most 200 characters"),
});

/** Query of a dispatch: what to do when an active task has the same index. */
export const dispatchQuerySchema = z.strictObject({
  onDuplicate: z.enum(["return", "fail"]).optional(),
});

/** The `{name}` path parameter of a definition route (`tenant/name` for admins, URL-encoded). */
export const definitionNameParamsSchema = z.strictObject({
  name: z.string().min(1, "must not be empty").max(401, "must be at most 401 characters"),
});
