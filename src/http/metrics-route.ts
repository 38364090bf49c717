// `GET /metrics` in the Prometheus text format, and the HTTP request metrics of every route
// of the app (count and duration by method, route pattern and status).
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { TaskrailMetrics } from "../observability/metrics.js";

/** Path of the scrape endpoint. */
export const METRICS_PATH = "/metrics";

/** Route label of requests that matched no route (keeps scanners from minting label values). */
const UNMATCHED_ROUTE = "unmatched";

/** The OpenAPI operation of the scrape endpoint (the server adds it to its document). */
export const METRICS_OPENAPI_OPERATION = {
  operationId: "getMetrics",
  summary: "Prometheus metrics (text exposition format)",
  description:
    "Counts span every tenant, so a token must be an admin's; the server can also be started with `/metrics` public " +
    "(Prometheus scrapers rarely hold tokens). docs/http-events-metrics.md lists every metric and label.",
  tags: ["metrics"],
  responses: {
    "200": { description: "the metrics", content: { "text/plain": { schema: { type: "string" } } } },
    "401": { $ref: "#/components/responses/Unauthorized" },
    "403": { $ref: "#/components/responses/Forbidden" },
  },
  "x-taskrail-access": "admin",
} as const;

/** A tenant-bound caller (from the auth hook's `request.auth`), or undefined for admins and public access. */
function tenantBoundCaller(request: FastifyRequest): { tokenId: string; tenant: string } | undefined {
  const auth = (request as FastifyRequest & { auth?: { tokenId: string; tenant: string | null } }).auth;
  return auth !== undefined && auth.tenant !== null ? { tokenId: auth.tokenId, tenant: auth.tenant } : undefined;
}

/**
 * The metrics endpoint as a plugin with its OpenAPI entry. Its hook observes every request of
 * the app it is registered on (not only its own route), so register it on the root app.
 */
export function createMetricsPlugin(metrics: TaskrailMetrics): {
  plugin: FastifyPluginAsync;
  openapi: { method: "GET"; url: string; operation: Record<string, unknown> }[];
} {
  const plugin: FastifyPluginAsync = async (app) => {
    app.addHook("onResponse", async (request, reply) => {
      metrics.observeHttpRequest(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime);
    });
    app.get(METRICS_PATH, async (request, reply) => {
      const bound = tenantBoundCaller(request);
      if (bound !== undefined) {
        // Counts span every tenant: a tenant's token must not read them.
        return reply.code(403).send({
          error: { code: "FORBIDDEN", message: `metrics span every tenant: they need an admin token; token ${bound.tokenId} is bound to tenant "${bound.tenant}"` },
        });
      }
      const { contentType, body } = await metrics.render();
      return reply.type(contentType).send(body);
    });
  };
  // Like fastify-plugin: the hook then applies to the whole app, not only this plugin's routes.
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for("skip-override")] = true;
  return { plugin, openapi: [{ method: "GET", url: METRICS_PATH, operation: { ...METRICS_OPENAPI_OPERATION } }] };
}
