// `/metrics`: the output parses with a Prometheus exposition parser and holds every family with
// the values the store and this process's engine events give; store reads are cached.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";
import { NonRetryableError } from "../../src/core/errors.js";
import type { StepContext } from "../../src/core/step-context.js";
import { createMetricsPlugin } from "../../src/http/metrics-route.js";
import { createTaskrailMetrics, type TaskrailMetrics } from "../../src/observability/metrics.js";
import type { Store } from "../../src/store/store.js";
import { FAST_WORKER, openTestEngine } from "../support/engine.js";
import { ADMIN, startTestApp } from "../support/http-test-app.js";

type Engine = Awaited<ReturnType<typeof openTestEngine>>;

/** Counts calls of the store methods the metrics read. */
function countingStore(store: Store): { store: Store; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

describe("GET /metrics", () => {
  let engine: Engine;
  let metrics: TaskrailMetrics;
  let app: FastifyInstance;
  let baseUrl: string;
  let calls: Record<string, number>;
  let tries = 0;

  before(async () => {
    engine = await openTestEngine({
      executors: {
        flaky: () => {
          tries += 1;
          if (tries === 1) throw new Error("first try fails");
          return "ok";
        },
        broken: () => {
          throw new NonRetryableError("never works");
        },
      },
    });
    const counted = countingStore(engine.tr.store);
    calls = counted.calls;
    metrics = createTaskrailMetrics({ store: counted.store, events: engine.tr.events, taskCountsMaxAgeMs: 60_000, queueStatsMaxAgeMs: 60_000 });
    const ping: FastifyPluginAsync = async (a) => {
      a.get("/api/v1/ping/:id", async () => ({ pong: true }));
    };
    ({ app, baseUrl } = await startTestApp([
      { plugin: createMetricsPlugin({ metrics }).plugin, options: {} },
      { plugin: ping, options: {} },
    ]));
    engine.tr.startWorker(FAST_WORKER);
    const { client } = engine.tr;
    const done = [
      await client.dispatch({ type: "mail", steps: [{ name: "send", executor: "noop" }] }),
      await client.dispatch({ type: "mail", steps: [{ name: "send", executor: "flaky", tries: 3, backoff: { kind: "fixed", delay: 10 } }] }),
      await client.dispatch({ type: "report", steps: [{ name: "build", executor: "broken" }] }),
    ];
    for (const t of done) await client.waitForTask(t.id, { timeoutMs: 10_000 });
    // Nobody serves this queue: it stays ready.
    await client.dispatch({ type: "report", queue: "nightly", steps: [{ name: "build", executor: "noop" }] });
  });
  after(async () => {
    await app?.close();
    metrics?.close();
    await engine?.dispose();
  });

  async function scrape(headers: Record<string, string> = { "x-test-tenant": ADMIN }): Promise<{ status: number; text: string; contentType: string | null }> {
    const res = await fetch(`${baseUrl}/metrics`, { headers });
    return { status: res.status, text: await res.text(), contentType: res.headers.get("content-type") };
  }

  function family(families: PrometheusFamily[], name: string): PrometheusFamily {
    const found = families.find((f) => f.name === name);
    assert.ok(found, `family ${name} is exported`);
    return found;
  }

  function sample(f: PrometheusFamily, labels: Record<string, string>): number {
    const s = f.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
    assert.ok(s, `${f.name} has a sample ${JSON.stringify(labels)}`);
    return Number(s.value);
  }

  /**
   * The `_count` of a labelled histogram series, read from the text: the parser folds the
   * buckets of every label set of a histogram into one and drops their labels.
   */
  function histogramCount(text: string, name: string, labels: string): number {
    const line = text.split("\n").find((l) => l.startsWith(`${name}_count{${labels}}`));
    assert.ok(line, `${name}_count{${labels}} is exported`);
    return Number(line.split(" ").pop());
  }

  test("the exposition parses and holds every taskrail family with the expected values", async () => {
    await fetch(`${baseUrl}/api/v1/ping/42`, { headers: { "x-test-tenant": ADMIN } });
    const res = await scrape();
    assert.equal(res.status, 200);
    assert.match(res.contentType ?? "", /^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(res.text);

    const tasks = family(families, "taskrail_tasks");
    assert.equal(tasks.type, "GAUGE");
    assert.equal(sample(tasks, { status: "succeeded", type: "mail" }), 2);
    assert.equal(sample(tasks, { status: "failed", type: "report" }), 1);
    assert.equal(sample(tasks, { status: "pending", type: "report" }), 1);

    assert.equal(sample(family(families, "taskrail_queue_ready_tasks"), { queue: "nightly" }), 1);
    assert.equal(sample(family(families, "taskrail_queue_scheduled_tasks"), { queue: "nightly" }), 0);
    assert.equal(sample(family(families, "taskrail_running_steps"), { queue: "nightly" }), 0);
    assert.ok(sample(family(families, "taskrail_queue_oldest_ready_age_seconds"), { queue: "nightly" }) >= 0);
    assert.equal(sample(family(families, "taskrail_nodes"), { state: "alive" }), 1);

    const durations = family(families, "taskrail_step_duration_seconds");
    assert.equal(durations.type, "HISTOGRAM");
    assert.equal(histogramCount(res.text, "taskrail_step_duration_seconds", 'status="succeeded"'), 2);
    assert.equal(histogramCount(res.text, "taskrail_step_duration_seconds", 'status="failed"'), 2, "the flaky step's first try and the broken step");
    assert.equal(Number(family(families, "taskrail_step_retries_total").metrics[0].value), 1);
    assert.equal(family(families, "taskrail_lease_recoveries_total").type, "COUNTER");
    assert.equal(family(families, "taskrail_refused_writes_total").type, "COUNTER");

    assert.equal(sample(family(families, "taskrail_http_requests_total"), { method: "GET", route: "/api/v1/ping/:id", status: "200" }), 1);
    assert.equal(family(families, "taskrail_http_request_duration_seconds").type, "HISTOGRAM");
    assert.ok(families.some((f) => f.name === "process_cpu_user_seconds_total"), "default process metrics");
    assert.ok(!families.some((f) => f.name.startsWith("taskrail_scheduler_")), "no scheduler metrics without a provider");
  });

  test("scheduler metrics appear once a provider is set, and are absent while it knows nothing", async () => {
    let status: { leader: boolean; lagMs: number | null } | null = null;
    metrics.setSchedulerStatusProvider(() => status);
    let families = parsePrometheusTextFormat((await scrape()).text);
    assert.deepEqual(family(families, "taskrail_scheduler_leader").metrics, []);
    status = { leader: true, lagMs: 1500 };
    families = parsePrometheusTextFormat((await scrape()).text);
    assert.equal(Number(family(families, "taskrail_scheduler_leader").metrics[0].value), 1);
    assert.equal(Number(family(families, "taskrail_scheduler_lag_seconds").metrics[0].value), 1.5);
  });

  test("store reads are cached: repeated scrapes within the refresh interval cost no new reads", async () => {
    await scrape();
    const before = { ...calls };
    await Promise.all([scrape(), scrape(), scrape()]);
    for (const method of ["countTasksByStatusAndType", "queueStats", "listNodes"]) assert.equal(calls[method], before[method], method);
    assert.equal(calls.countTasksByStatusAndType, 1);
  });

  test("requests matching no route share one route label; a tenant's token may not read metrics", async () => {
    await fetch(`${baseUrl}/no/such/path/${Date.now()}`, { headers: { "x-test-tenant": ADMIN } });
    const tenant = await scrape({ "x-test-tenant": "acme" });
    assert.equal(tenant.status, 403);
    assert.match(tenant.text, /FORBIDDEN/);
    const families = parsePrometheusTextFormat((await scrape()).text);
    const requests = family(families, "taskrail_http_requests_total");
    assert.ok(requests.metrics.some((m) => m.labels?.route === "unmatched" && m.labels?.status === "404"));
    assert.ok(!requests.metrics.some((m) => m.labels?.route?.startsWith("/no/such")));
  });
});

describe("task type cardinality", () => {
  test("types beyond the cap are summed under _other", async () => {
    const engine = await openTestEngine();
    try {
      for (const type of ["a", "b", "b", "c", "c", "c"]) await engine.tr.client.dispatch({ type, steps: [{ name: "s", executor: "noop" }] });
      const metrics = createTaskrailMetrics({ store: engine.tr.store, maxTypes: 2, defaultMetrics: false });
      const tasks = parsePrometheusTextFormat((await metrics.render()).body).find((f) => f.name === "taskrail_tasks");
      const byType = Object.fromEntries((tasks?.metrics ?? []).map((m) => [m.labels?.type, Number(m.value)]));
      assert.deepEqual(byType, { b: 2, c: 3, _other: 1 });
      metrics.close();
    } finally {
      await engine.dispose();
    }
  });
});
