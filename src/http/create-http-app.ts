// Builds the HTTP API (Fastify): authentication, the routes of every resource, the audit log,
// errors as `{ error: { code, message, fields? } }`, the OpenAPI document and reference page,
// the dashboard, and the plugins other modules add (live events, metrics).
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyReply } from "fastify";
import { systemClock, type Clock } from "../core/clock.js";
import type { EventBus } from "../core/events.js";
import { NotFoundError } from "../core/errors.js";
import { silentLogger, type Logger } from "../core/logger.js";
import { TaskrailClient, type ClientOptions } from "../client/taskrail-client.js";
import type { Store } from "../store/store.js";
import { ALL_TENANTS } from "../core/api-token.js";
import { TokenAuthenticator, type Access, type RequestAuth } from "./auth.js";
import { AuditWriter } from "./audit-writer.js";
import { registerDashboard, isApiPath } from "./dashboard.js";
import { errorResponse, INTERNAL_CODE } from "./error-status.js";
import { registerBodyParsers } from "./body-parsers.js";
import { registerErrorHandler } from "./error-handler.js";
import { buildOpenApiDocument, type ExtraOperation } from "./openapi.js";
import { REFERENCE_PAGE_HTML } from "./reference-page.js";
import { defineRoute, registerRoute, type RouteSpec } from "./route-spec.js";
import { adminRoutes } from "./routes/admin.js";
import { clusterRoutes } from "./routes/cluster.js";
import { healthRoutes } from "./routes/health.js";
import { taskRoutes } from "./routes/tasks.js";
import { definitionRoutes } from "./routes/definitions.js";
import { schedulerRoutes, type SchedulerControl } from "./routes/scheduler.js";

/** What plugins (SSE, metrics, …) are registered with, as their options. */
export interface HttpPluginOptions {
  store: Store;
  events: EventBus;
  logger: Logger;
  /** A client scoped to a caller's tenant (null tenant = admin). */
  clientFor(auth: RequestAuth): TaskrailClient;
}

/** A plugin of the HTTP app: a Fastify plugin plus the OpenAPI entries of the routes it adds. */
export interface HttpPlugin {
  plugin: FastifyPluginAsync<HttpPluginOptions>;
  /** OpenAPI operations of its routes (every registered route must be documented). */
  openapi?: ExtraOperation[];
}

/** What `createHttpApp` needs. */
export interface HttpAppDeps {
  store: Store;
  events: EventBus;
  logger?: Logger;
  clock?: Clock;
  /** Applied to every per-request client (e.g. refuse unknown executor names). */
  clientOptions?: Pick<ClientOptions, "knownExecutors" | "knownCallbacks">;
  /**
   * Registered after the core routes, inside the same auth: a route answers without a token
   * only when its route config says `{ access: "public" }` (or it is `/metrics` with
   * `publicMetrics`). Either a Fastify plugin or `{ plugin, openapi }`.
   */
  plugins?: (FastifyPluginAsync<HttpPluginOptions> | HttpPlugin)[];
  /** Let `/metrics` answer without a token (Prometheus scrapers rarely hold one). @default false */
  publicMetrics?: boolean;
  /** The built dashboard's folder (serve passes `<package>/dist/dashboard`), or null for none. @default null */
  dashboardDir?: string | null;
  /** The scheduler of this process, for `/api/v1/scheduler/start|stop|restart` (409 without one). */
  scheduler?: SchedulerControl;
  /** Version shown in the OpenAPI document. */
  version: string;
  /** Largest request body. @default 1 MiB */
  bodyLimitBytes?: number;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route registered (method, Fastify path), for the OpenAPI completeness check. */
    registeredRoutes: { method: string; url: string }[];
    /** The bearer-token verifier (shared with plugins that authenticate by other means). */
    tokenAuthenticator: TokenAuthenticator;
  }
  interface FastifyRequest {
    /** The error code the request ended with (for its audit entry). */
    errorCode?: string;
  }
  interface FastifyContextConfig {
    /** Who may call the route; absent = any valid token. */
    access?: Access;
  }
}

/** Builds the app with every route registered; call `listen` (or `inject`) on it. */
export async function createHttpApp(deps: HttpAppDeps): Promise<FastifyInstance> {
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? systemClock;
  const bodyLimit = deps.bodyLimitBytes ?? 1_048_576;
  const app = Fastify({
    logger: false,
    bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: true,
    // Long ids reach the schemas, which name the field, instead of the router's bare 414.
    routerOptions: { maxParamLength: 2000 },
    // Requests the router refuses before any route (a malformed URL) answer in the API's error shape.
    frameworkErrors: (err, _request, reply) => {
      void (reply as FastifyReply).code(400).send({ error: { code: "VALIDATION_FAILED", message: err.message, fields: [{ path: "url", message: err.message }] } });
    },
  });
  const authenticator = new TokenAuthenticator(deps.store, () => clock.now());
  const audit = new AuditWriter(deps.store, logger);
  // One client per token (its tenant and creator never change), reused across requests.
  const clients = new Map<string, TaskrailClient>();
  const clientFor = (auth: RequestAuth): TaskrailClient => {
    let client = clients.get(auth.tokenId);
    if (client === undefined) {
      if (clients.size >= 10_000) clients.clear();
      client = new TaskrailClient(deps.store, deps.events, { tenant: auth.tenant, creator: `token:${auth.tokenId}`, ...deps.clientOptions }, clock);
      clients.set(auth.tokenId, client);
    }
    return client;
  };

  app.decorate("registeredRoutes", [] as { method: string; url: string }[]);
  app.decorate("tokenAuthenticator", authenticator);
  app.decorateRequest("auth", undefined);
  app.decorateRequest("auditRecord", undefined);
  app.decorateRequest("errorCode", undefined);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) app.registeredRoutes.push({ method, url: route.url });
  });

  registerBodyParsers(app, bodyLimit);

  app.addHook("onRequest", async (request) => {
    const access = request.routeOptions.config?.access;
    // Unknown routes are answered by the not-found handler; public ones need no token.
    const url = request.routeOptions.url;
    if (url === undefined || access === "public") return;
    if (deps.publicMetrics === true && url === "/metrics") return;
    // Routes outside the API that do not ask for a role are the dashboard's static files.
    if (access === undefined && !isApiPath(url)) return;
    request.auth = await authenticator.authenticate(request);
  });

  app.addHook("onResponse", async (request, reply) => {
    const record = request.auditRecord;
    if (record === undefined || request.auth === undefined) return;
    const ok = reply.statusCode < 400;
    audit.record({
      at: new Date(clock.now()),
      tokenId: request.auth.tokenId,
      tenant: request.auth.tenant ?? ALL_TENANTS,
      action: record.action,
      target: record.target,
      method: request.method,
      path: request.url.split("?")[0],
      statusCode: reply.statusCode,
      outcome: ok ? "ok" : "error",
      errorCode: ok ? null : (request.errorCode ?? INTERNAL_CODE),
    });
  });
  app.addHook("onClose", async () => audit.flush());

  registerErrorHandler(app, logger);

  const routes: RouteSpec[] = [
    ...healthRoutes(deps.store),
    ...taskRoutes("/api/v1/tasks", ""),
    ...taskRoutes("/api/v1/tasks/instances", "Instance"),
    ...definitionRoutes("/api/v1/definitions", ""),
    ...definitionRoutes("/api/v1/tasks/definitions", "Seed"),
    ...schedulerRoutes(deps.scheduler ?? null),
    ...clusterRoutes(deps.store),
    ...adminRoutes(deps.store, authenticator),
  ];
  const extras: ExtraOperation[] = [];
  let openApiDocument: Record<string, unknown> | null = null;
  routes.push(
    defineRoute({
      method: "GET",
      url: "/api/v1/openapi.json",
      operationId: "getOpenApiDocument",
      summary: "This OpenAPI 3.1 document",
      tag: "meta",
      access: "viewer",
      response: { description: "the document", schema: { type: "object" } },
      handler: async () => (openApiDocument ??= buildOpenApiDocument(routes, extras, { version: deps.version })),
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/reference",
      operationId: "getApiReference",
      summary: "Browsable API reference (an HTML page that loads the OpenAPI document with your token)",
      tag: "meta",
      access: "public",
      response: { description: "the page", contentType: "text/html", schema: { type: "string" } },
      handler: async ({ reply }) => reply.type("text/html; charset=utf-8").send(REFERENCE_PAGE_HTML),
    }),
  );
  for (const route of routes) registerRoute(app, route, { clientFor });

  const pluginOptions: HttpPluginOptions = { store: deps.store, events: deps.events, logger, clientFor };
  for (const entry of deps.plugins ?? []) {
    const { plugin, openapi } = typeof entry === "function" ? { plugin: entry, openapi: [] } : entry;
    extras.push(...(openapi ?? []));
    await app.register(plugin, pluginOptions);
  }

  const dashboardDir = deps.dashboardDir === undefined ? null : deps.dashboardDir;
  const spaFallback = await registerDashboard(app, dashboardDir);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0];
    if (spaFallback !== null && (request.method === "GET" || request.method === "HEAD") && !isApiPath(path)) return spaFallback(request, reply);
    const err = new NotFoundError(`no route ${request.method} ${path}`);
    request.errorCode = err.code;
    return reply.code(404).send(errorResponse(err).body);
  });
  await app.ready();
  return app;
}
