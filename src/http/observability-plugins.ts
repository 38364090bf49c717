// The live event stream and the Prometheus endpoint, ready for `createHttpApp({ plugins })`:
// both take the app's store and engine events from the options the app registers them with.
import type { TaskrailMetricsOptions } from "../observability/metrics.js";
import type { HttpPlugin } from "./create-http-app.js";
import { createEventsPlugin, type EventsRouteSettings } from "./events-route.js";
import { createMetricsPlugin } from "./metrics-route.js";

/** Settings of the observability plugins. */
export interface ObservabilityPluginsOptions {
  /** Settings of `GET /api/v1/events`. */
  eventStream?: EventsRouteSettings;
  /** Options of the collectors behind `/metrics` (store reads' refresh intervals, scheduler provider, …). */
  metrics?: Omit<TaskrailMetricsOptions, "store" | "events" | "logger">;
}

/** `GET /api/v1/events` and `GET /metrics` (with HTTP request metrics of every route). */
export function createObservabilityPlugins(options: ObservabilityPluginsOptions = {}): HttpPlugin[] {
  return [createEventsPlugin(options.eventStream), createMetricsPlugin({ collectors: options.metrics })];
}
