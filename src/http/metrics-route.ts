// `GET /metrics` in the Prometheus text format, and the HTTP request metrics of every route
// of the app (count and duration by method, route pattern and status).
import type { FastifyPluginAsync } from "fastify";
import { ForbiddenError } from "../core/errors.js";
import type {} from "./auth.js";
import type { EventBus } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import { createTaskrailMetrics, type TaskrailMetrics, type TaskrailMetricsOptions } from "../observability/metrics.js";
import type { Store } from "../store/store.js";

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

/** Where the metrics plugin gets its collectors. */
export interface MetricsPluginOptions {
  /** Collectors built by the caller (e.g. to add a scheduler provider later). */
  metrics?: TaskrailMetrics;
  /**
   * Otherwise the collectors are built when the plugin is registered, from the app's store,
   * engine events and logger (the plugin options `createHttpApp` passes), with these options,
   * and stopped when the app closes.
   */
  collectors?: Omit<TaskrailMetricsOptions, "store" | "events" | "logger">;
}

/** What the plugin reads from the app's plugin options when it builds its own collectors. */
interface AppServices {
  store?: Store;
  events?: EventBus;
  logger?: Logger;
}

/**
 * The metrics endpoint as a plugin with its OpenAPI entry. Its hook observes every request of
 * the app it is registered on (not only its own route), so register it on the root app.
 */
export function createMetricsPlugin(options: MetricsPluginOptions = {}): {
  plugin: FastifyPluginAsync<AppServices>;
  openapi: { method: "GET"; url: string; operation: Record<string, unknown> }[];
} {
  const plugin: FastifyPluginAsync<AppServices> = async (app, services) => {
    let metrics = options.metrics;
    if (metrics === undefined) {
      if (services.store === undefined) throw new Error("the metrics plugin needs `metrics`, or a `store` in its plugin options");
      const own = createTaskrailMetrics({ ...options.collectors, store: services.store, events: services.events, logger: services.logger });
      app.addHook("onClose", async () => own.close());
      metrics = own;
    }
    const collectors = metrics;
    app.addHook("onResponse", async (request, reply) => {
      collectors.observeHttpRequest(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime);
    });
    app.get(METRICS_PATH, async (request, reply) => {
      // Counts span every tenant: a tenant's token must not read them. (No `auth` at all means
      // the app let /metrics answer without a token: `publicMetrics`.)
      const auth = request.auth;
      if (auth !== undefined && auth.tenant !== null) {
        throw new ForbiddenError(`metrics span every tenant: they need an admin token; token ${auth.tokenId} is bound to tenant "${auth.tenant}"`);
      }
      const { contentType, body } = await collectors.render();
      return reply.type(contentType).send(body);
    });
  };
  // Like fastify-plugin: the hook then applies to the whole app, not only this plugin's routes.
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for("skip-override")] = true;
  return { plugin, openapi: [{ method: "GET", url: METRICS_PATH, operation: { ...METRICS_OPENAPI_OPERATION } }] };
}
