// `/healthz` (the process answers) and `/readyz` (its store answers too): no token needed.
import { StoreUnavailableError, errorMessage } from "../../core/errors.js";
import type { Store } from "../../store/store.js";
import { defineRoute, type RouteSpec } from "../route-spec.js";

/** The health routes. */
export function healthRoutes(store: Store): RouteSpec[] {
  return [
    defineRoute({
      method: "GET",
      url: "/healthz",
      operationId: "healthz",
      summary: "Liveness: the process answers",
      tag: "health",
      access: "public",
      response: { description: "alive", schema: { type: "object", properties: { status: { const: "ok" } }, required: ["status"] } },
      handler: async () => ({ status: "ok" }),
    }),
    defineRoute({
      method: "GET",
      url: "/readyz",
      operationId: "readyz",
      summary: "Readiness: the store answers a read (503 STORE_UNAVAILABLE otherwise)",
      tag: "health",
      access: "public",
      response: { description: "ready", schema: { type: "object", properties: { status: { const: "ready" }, store: { type: "string" } }, required: ["status", "store"] } },
      handler: async () => {
        try {
          await store.listLimits();
        } catch (err) {
          throw err instanceof StoreUnavailableError ? err : new StoreUnavailableError(`store check failed: ${errorMessage(err)}`, { cause: err });
        }
        return { status: "ready", store: store.kind };
      },
    }),
  ];
}
