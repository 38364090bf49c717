// `/api/v1/nodes`, `/api/v1/limits`, `/api/v1/stats` and `/api/v1/whoami`: the cluster, its
// limits, task statistics over a window, and who the caller is.
import { limitSpecSchema } from "../../core/validation/limit-spec.js";
import { statsQuerySchema } from "../../core/validation/server-inputs.js";
import { buildStatsReport } from "../../client/stats-report.js";
import type { Store } from "../../store/store.js";
import { defineRoute, type RouteSpec } from "../route-spec.js";
import { ref } from "../openapi-refs.js";

/** The cluster, limits, stats and whoami routes. */
export function clusterRoutes(store: Store): RouteSpec[] {
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/whoami",
      operationId: "whoami",
      summary: "The caller's token id, tenant (null = every tenant) and role",
      tag: "auth",
      access: "viewer",
      response: { description: "the caller", schema: ref("WhoAmI") },
      handler: async ({ auth }) => ({ tokenId: auth.tokenId, tenant: auth.tenant, role: auth.role }),
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/nodes",
      operationId: "listNodes",
      summary: "Every known node (processes running workers), alive first",
      description: "Nodes belong to the cluster, not to a tenant: every token sees them.",
      tag: "cluster",
      access: "viewer",
      response: { description: "the nodes", schema: { type: "object", properties: { items: { type: "array", items: ref("Node") } }, required: ["items"] } },
      handler: async ({ client }) => ({ items: await client.listNodes() }),
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/limits",
      operationId: "listLimits",
      summary: "Cluster-wide limits (max running per queue or type, rate per queue)",
      tag: "cluster",
      access: "viewer",
      response: { description: "the limits", schema: { type: "object", properties: { items: { type: "array", items: ref("Limit") } }, required: ["items"] } },
      handler: async ({ client }) => ({ items: await client.listLimits() }),
    }),
    defineRoute({
      method: "PUT",
      url: "/api/v1/limits",
      operationId: "setLimit",
      summary: "Set a cluster-wide limit (neither maxRunning nor rate removes it)",
      description: "Limits hold for every tenant, so only admins set them.",
      tag: "cluster",
      access: "admin",
      body: limitSpecSchema,
      audit: "limit.set",
      response: { description: "the limit as stored", schema: ref("Limit") },
      handler: async ({ client, body, setAuditTarget }) => {
        const limit = await client.setLimit(body as never);
        setAuditTarget(`${limit.scope}:${limit.name}`);
        return limit;
      },
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/stats",
      operationId: "getStats",
      summary: "Task statistics over a window (default 1h)",
      description:
        "`counts`: tasks created in the window by current status. `ended`, `successRate` (succeeded / (succeeded + failed), cancelled left out) and `buckets` (throughput and failures per bucket, oldest first): tasks that ended in the window. `durations`: execution-time percentiles (nearest rank) of the tasks that succeeded, by type. `oldestWaiting`: the ready task that has waited longest for a worker.",
      tag: "stats",
      access: "viewer",
      query: statsQuerySchema,
      response: { description: "the report", schema: ref("StatsReport") },
      handler: ({ auth, query }) => buildStatsReport(store, auth.tenant, query),
    }),
  ];
}
