// Prometheus collectors of one process (prom-client): task counts and queue depths read from
// the store (cached, so scrapes cost the database a bounded amount), step durations, retries
// and lease recoveries from this process's engine events, node counts, the scheduler's
// leadership and lag (when a provider is given), and HTTP request metrics.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { systemClock, type Clock } from "../core/clock.js";
import { errorMessage } from "../core/errors.js";
import type { EventBus } from "../core/events.js";
import { silentLogger, type Logger } from "../core/logger.js";
import type { NodeState } from "../core/node.js";
import type { QueueStats, Store, TaskTypeCount } from "../store/store.js";
import { CachedRead } from "./cached-read.js";

/** What the scheduler reports to the metrics (filled in by the scheduler wiring). */
export interface SchedulerMetricsStatus {
  /** True while this process holds the scheduler leader lease. */
  leader: boolean;
  /** Lag of the leader's latest firing pass (how long after their due time it fired; 0 when none was due); null when unknown. */
  lagMs: number | null;
}

/** Options of `createTaskrailMetrics`. */
export interface TaskrailMetricsOptions {
  store: Store;
  /** This process's engine events (step durations, retries, recoveries); absent: those stay at 0. */
  events?: EventBus;
  /** How long task counts by status and type are reused (a full table read). @default 30_000 */
  taskCountsMaxAgeMs?: number;
  /** How long queue depths and node counts are reused. @default 5_000 */
  queueStatsMaxAgeMs?: number;
  /** Most distinct task types reported; the rest are summed under type `_other`. @default 100 */
  maxTypes?: number;
  /** Also export prom-client's process and Node.js runtime metrics. @default true */
  defaultMetrics?: boolean;
  /** The scheduler's status; the scheduler metrics are absent until one is given. */
  schedulerStatus?: () => SchedulerMetricsStatus | null;
  clock?: Clock;
  logger?: Logger;
}

/** Step duration buckets, seconds: 5 ms to 10 min. */
const STEP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** HTTP duration buckets, seconds. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Started steps remembered for durations of failed/cancelled tries (the rest is bounded garbage). */
const MAX_TRACKED_STEPS = 100_000;
const NODE_STATES: readonly NodeState[] = ["alive", "dead", "stopped"];

/** One process's metrics: scrape `registry.metrics()`; call `close()` to stop listening to events. */
export class TaskrailMetrics {
  /** Holds every taskrail metric (and the default ones, unless switched off). */
  readonly registry = new Registry();
  private readonly httpRequests: Counter<"method" | "route" | "status">;
  private readonly httpDuration: Histogram<"method" | "route" | "status">;
  private readonly unsubscribe: (() => void)[] = [];
  private schedulerStatus: (() => SchedulerMetricsStatus | null) | null = null;

  constructor(options: TaskrailMetricsOptions) {
    const { store, events } = options;
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? silentLogger;
    const maxTypes = options.maxTypes ?? 100;
    const onError = (what: string) => (err: unknown) => logger.warn({ err: errorMessage(err) }, `metrics: reading ${what} failed; serving the last values`);
    const taskCounts = new CachedRead(() => store.countTasksByStatusAndType(), options.taskCountsMaxAgeMs ?? 30_000, clock, onError("task counts"));
    const queueMaxAge = options.queueStatsMaxAgeMs ?? 5_000;
    const queues = new CachedRead(() => store.queueStats(new Date(clock.now())), queueMaxAge, clock, onError("queue stats"));
    const nodes = new CachedRead(() => store.listNodes(), queueMaxAge, clock, onError("nodes"));
    const registers = [this.registry];

    new Gauge({
      name: "taskrail_tasks",
      help: "Tasks in the store by status and type, every tenant (refreshed at most every taskCountsMaxAgeMs)",
      labelNames: ["status", "type"],
      registers,
      async collect() {
        const counts = await taskCounts.get();
        if (counts === undefined) return;
        this.reset();
        for (const c of capTypes(counts, maxTypes)) this.set({ status: c.status, type: c.type }, c.count);
      },
    });
    const queueGauge = (name: string, help: string, value: (q: QueueStats, now: number) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ["queue"],
        registers,
        async collect() {
          const stats = await queues.get();
          if (stats === undefined) return;
          this.reset();
          const now = clock.now();
          for (const q of stats) this.set({ queue: q.queue }, value(q, now));
        },
      });
    queueGauge("taskrail_queue_ready_tasks", "Pending tasks claimable now, by queue (queue depth)", (q) => q.ready);
    queueGauge("taskrail_queue_scheduled_tasks", "Pending tasks whose runAt is still ahead (scheduled or in retry backoff), by queue", (q) => q.scheduled);
    queueGauge(
      "taskrail_queue_oldest_ready_age_seconds",
      "How long the longest-waiting ready task of each queue has been claimable (0 when none is ready)",
      (q, now) => (q.oldestReadyAt === null ? 0 : Math.max(0, (now - q.oldestReadyAt.getTime()) / 1000)),
    );
    queueGauge("taskrail_running_steps", "Steps running now, by queue (one per running task)", (q) => q.running);
    new Gauge({
      name: "taskrail_nodes",
      help: "Known taskrail processes by state (alive, dead, stopped)",
      labelNames: ["state"],
      registers,
      async collect() {
        const list = await nodes.get();
        if (list === undefined) return;
        for (const state of NODE_STATES) this.set({ state }, list.filter((n) => n.state === state).length);
      },
    });

    const stepDuration = new Histogram({
      name: "taskrail_step_duration_seconds",
      help: "Duration of step tries run by this process, by how the try ended",
      labelNames: ["status"],
      buckets: STEP_BUCKETS,
      registers,
    });
    const retries = new Counter({ name: "taskrail_step_retries_total", help: "Failed step tries this process scheduled to run again", registers });
    const recoveries = new Counter({ name: "taskrail_lease_recoveries_total", help: "Tasks of dead or stalled workers this process recovered", registers });
    const refused = new Counter({ name: "taskrail_refused_writes_total", help: "Worker writes refused because the lease had moved on (fencing)", registers });
    this.httpRequests = new Counter({ name: "taskrail_http_requests_total", help: "HTTP requests answered", labelNames: ["method", "route", "status"], registers });
    this.httpDuration = new Histogram({
      name: "taskrail_http_request_duration_seconds",
      help: "HTTP request duration until the response was sent",
      labelNames: ["method", "route", "status"],
      buckets: HTTP_BUCKETS,
      registers,
    });

    if (events !== undefined) {
      // Start times of running tries, for the durations of tries that fail or are cancelled
      // (only success events carry their duration).
      const started = new Map<string, number>();
      const key = (taskId: string, stepIndex: number) => `${taskId}/${stepIndex}`;
      const ended = (taskId: string, stepIndex: number, status: string) => {
        const at = started.get(key(taskId, stepIndex));
        started.delete(key(taskId, stepIndex));
        if (at !== undefined) stepDuration.observe({ status }, Math.max(0, clock.now() - at) / 1000);
      };
      this.unsubscribe.push(
        events.on("step:started", (e) => {
          if (started.size >= MAX_TRACKED_STEPS) started.delete(started.keys().next().value as string);
          started.set(key(e.taskId, e.stepIndex), clock.now());
        }),
        events.on("step:succeeded", (e) => {
          started.delete(key(e.taskId, e.stepIndex));
          stepDuration.observe({ status: "succeeded" }, e.durationMs / 1000);
        }),
        events.on("step:failed", (e) => {
          ended(e.taskId, e.stepIndex, e.status);
          if (e.willRetry) retries.inc();
        }),
        events.on("step:cancelled", (e) => ended(e.taskId, e.stepIndex, "cancelled")),
        events.on("lease:recovered", () => recoveries.inc()),
        events.on("write:refused", () => refused.inc()),
      );
    }
    if (options.schedulerStatus !== undefined) this.setSchedulerStatusProvider(options.schedulerStatus);
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Reports the scheduler through `provider` from now on (registers `taskrail_scheduler_leader`
   * and `taskrail_scheduler_lag_seconds`; a provider answering null reports no samples).
   */
  setSchedulerStatusProvider(provider: () => SchedulerMetricsStatus | null): void {
    const first = this.schedulerStatus === null;
    this.schedulerStatus = provider;
    if (!first) return;
    const status = () => this.schedulerStatus?.() ?? null;
    this.registry.registerMetric(
      new OptionalGauge({ name: "taskrail_scheduler_leader", help: "1 while this process is the scheduler leader, else 0", registers: [] }, () => {
        const s = status();
        return s === null ? null : s.leader ? 1 : 0;
      }),
    );
    this.registry.registerMetric(
      new OptionalGauge(
        { name: "taskrail_scheduler_lag_seconds", help: "Lag of the scheduler leader's latest firing pass: how long after their due time definitions fired (0 when none was due)", registers: [] },
        () => {
          const lagMs = status()?.lagMs ?? null;
          return lagMs === null ? null : Math.max(0, lagMs) / 1000;
        },
      ),
    );
  }

  /** Records one answered HTTP request (`route`: the route pattern, not the raw path). */
  observeHttpRequest(method: string, route: string, statusCode: number, durationMs: number): void {
    const labels = { method, route, status: String(statusCode) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, durationMs / 1000);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Stops listening to engine events. */
  close(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }
}

/**
 * A label-less gauge with no sample while `read()` answers null. (prom-client reports 0 for a
 * label-less gauge that was never set, which would claim "not leader, no lag" when nothing is known.)
 */
class OptionalGauge extends Gauge {
  constructor(
    config: ConstructorParameters<typeof Gauge>[0],
    private readonly read: () => number | null,
  ) {
    super(config);
  }

  override async get(): ReturnType<Gauge["get"]> {
    const metric = await super.get();
    const value = this.read();
    return { ...metric, values: value === null ? [] : [{ value, labels: {} }] };
  }
}

/** Builds the collectors of one process. */
export function createTaskrailMetrics(options: TaskrailMetricsOptions): TaskrailMetrics {
  return new TaskrailMetrics(options);
}

/** Keeps the `maxTypes` types with the most tasks; sums the others per status as `_other`. */
function capTypes(counts: TaskTypeCount[], maxTypes: number): TaskTypeCount[] {
  const totals = new Map<string, number>();
  for (const c of counts) totals.set(c.type, (totals.get(c.type) ?? 0) + c.count);
  if (totals.size <= maxTypes) return counts;
  const kept = new Set([...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, maxTypes).map(([type]) => type));
  const other = new Map<string, number>();
  const result: TaskTypeCount[] = [];
  for (const c of counts) {
    if (kept.has(c.type)) result.push(c);
    else other.set(c.status, (other.get(c.status) ?? 0) + c.count);
  }
  for (const [status, count] of other) result.push({ status: status as TaskTypeCount["status"], type: "_other", count });
  return result;
}
