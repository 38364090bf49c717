// The API's routes are described once, as data: method, path, who may call it, the zod schemas
// of its path, query and body (the library's own), its audit action and its handler. The
// same description registers the Fastify route and writes its OpenAPI entry.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodType } from "zod";
import { ValidationError } from "../core/errors.js";
import { parseOrThrow } from "../core/validation/zod-errors.js";
import type { TaskrailClient } from "../client/taskrail-client.js";
import { checkRole, type Access, type RequestAuth } from "./auth.js";
import { coerceQuery, queryShapeOf, type QueryShape } from "./query-coercion.js";

/** What a handler gets: validated inputs, the caller and a client bound to the caller's tenant. */
export interface RouteContext<P, Q, B> {
  request: FastifyRequest;
  reply: FastifyReply;
  /** The caller (routes with `access: "public"` never see it set). */
  auth: RequestAuth;
  params: P;
  query: Q;
  body: B;
  /** A client scoped to the caller's tenant (null tenant = admin, every tenant). */
  client: TaskrailClient;
  /** Names what the call acted on, for the audit entry (default: the `id` or `name` path parameter). */
  setAuditTarget(target: string | null): void;
}

/** One API route. */
export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Fastify path syntax: `/api/v1/tasks/:id`. */
  url: string;
  /** OpenAPI operationId. */
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** Least role that may call it (`viewer` = any valid token), or `public`. */
  access: Access;
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  /** The body may be left out (it is then validated as `{}`). @default false */
  optionalBody?: boolean;
  /**
   * The handler passes the body to a library call that validates it with this same schema
   * (dispatch, definitions): the route does not parse it a second time (a task file is the
   * largest input; parsing it once saves measurable CPU per dispatch). @default false
   */
  bodyValidatedByHandler?: boolean;
  /** Set on mutating routes: the audit action (`task.cancel`). */
  audit?: string;
  /** HTTP status of success. @default 200 */
  successStatus?: number;
  /** What a success returns (OpenAPI). */
  response: { description: string; schema?: ZodType | Record<string, unknown>; contentType?: string };
  handler(ctx: RouteContext<P, Q, B>): Promise<unknown>;
}

/** Builds a route spec with its types inferred from its schemas. */
export function defineRoute<P = Record<string, never>, Q = Record<string, never>, B = undefined>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec as unknown as RouteSpec;
}

/** What registering routes needs from the server. */
export interface RouteDeps {
  clientFor(auth: RequestAuth): TaskrailClient;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Set by routes with an audit action: what the audit entry records once the reply is sent. */
    auditRecord?: { action: string; target: string | null };
  }
}

/** Registers one route spec on `app`. */
export function registerRoute(app: FastifyInstance, spec: RouteSpec, deps: RouteDeps): void {
  // Read from the schema on the route's first request, so building the app stays fast.
  let queryShape: QueryShape | null = null;
  app.route({
    method: spec.method,
    url: spec.url,
    config: { access: spec.access },
    handler: async (request, reply) => {
      const auth = request.auth;
      let target: string | null = pathTarget(request.params);
      if (spec.audit !== undefined) request.auditRecord = { action: spec.audit, target };
      if (spec.access !== "public") {
        // The auth hook ran for every non-public route; a missing auth here is a wiring bug.
        if (auth === undefined) throw new Error(`route ${spec.method} ${spec.url} ran without authentication`);
        checkRole(auth, spec.access);
      }
      const params = spec.params ? parseOrThrow(spec.params, request.params ?? {}, "invalid path") : {};
      if (spec.query && queryShape === null) queryShape = queryShapeOf(spec.query);
      const query = spec.query ? parseOrThrow(spec.query, coerceQuery(queryShape!, request.query as Record<string, unknown>), "invalid query") : {};
      if (!spec.query && hasKeys(request.query)) {
        const fields = Object.keys(request.query as object).map((key) => ({ path: key, message: "unknown query parameter (this route takes none)" }));
        throw new ValidationError(fields, "invalid query");
      }
      const body = !spec.body ? undefined : spec.bodyValidatedByHandler ? (request.body ?? {}) : parseOrThrow(spec.body, request.body ?? {}, "invalid body");
      const ctx: RouteContext<unknown, unknown, unknown> = {
        request,
        reply,
        auth: auth as RequestAuth,
        params,
        query,
        body,
        client: auth ? deps.clientFor(auth) : (undefined as unknown as TaskrailClient),
        setAuditTarget: (t) => {
          target = t;
          if (request.auditRecord) request.auditRecord.target = t;
        },
      };
      const result = await spec.handler(ctx);
      if (reply.sent) return reply;
      reply.code(spec.successStatus ?? 200);
      return result;
    },
  });
}

function pathTarget(params: unknown): string | null {
  if (params === null || typeof params !== "object") return null;
  const p = params as Record<string, unknown>;
  const value = p.id ?? p.name;
  return typeof value === "string" ? value : null;
}

function hasKeys(value: unknown): boolean {
  return value !== null && typeof value === "object" && Object.keys(value).length > 0;
}
