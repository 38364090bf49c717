// Overview: counts by status, throughput and failure rate (last hour or day), the oldest
// waiting task, live nodes, the scheduler's leader and lag. Refreshes itself.
import { useState } from "preact/hooks";
import { ApiError } from "../api/api-error.js";
import { TASK_STATUSES, type Stats } from "../api/types.js";
import { RateLine, StackedBars } from "../components/charts.js";
import { ErrorNotice, Loading } from "../components/notice.js";
import { StatusBadge } from "../components/status-badge.js";
import { RelativeTime } from "../components/time.js";
import { percent, shortDuration } from "../format.js";
import { useAsync, useCoalesced, useEvents, useInterval } from "../hooks.js";
import { Link } from "../router.js";
import { useSession } from "../session.js";

const REFRESH_MS = 5000;
/** Bucket counts per window: one bar a minute over the hour, one per half hour over the day. */
const BUCKETS = { "1h": 60, "24h": 48 } as const;

function bucketLabel(iso: string, window: "1h" | "24h"): string {
  const d = new Date(iso);
  return window === "1h"
    ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function Charts(props: { stats: Stats; window: "1h" | "24h" }) {
  const { buckets } = props.stats;
  const labels = buckets.map((b) => bucketLabel(b.start, props.window));
  const rates = buckets.map((b) => (b.succeeded + b.failed === 0 ? null : b.failed / (b.succeeded + b.failed)));
  return (
    <div class="charts">
      <StackedBars
        title="Throughput (tasks ended)"
        labels={labels}
        series={[
          { label: "succeeded", class: "fill-succeeded", values: buckets.map((b) => b.succeeded) },
          { label: "failed", class: "fill-failed", values: buckets.map((b) => b.failed) },
          { label: "cancelled", class: "fill-cancelled", values: buckets.map((b) => b.cancelled) },
        ]}
      />
      <RateLine title="Failure rate" labels={labels} values={rates} class="stroke-failed" />
    </div>
  );
}

export function OverviewPage() {
  const { api } = useSession();
  const [window, setWindow] = useState<"1h" | "24h">("1h");
  const stats = useAsync(() => api.stats(window, BUCKETS[window]), [api, window]);
  const nodes = useAsync(() => api.listNodes(), [api]);
  const scheduler = useAsync(() => api.scheduler(), [api]);
  const refresh = () => {
    stats.reload();
    nodes.reload();
    scheduler.reload();
  };
  useInterval(refresh, REFRESH_MS);
  // Task transitions change the counts at once; the interval covers nodes and the scheduler.
  // At most one stats read per 2s however busy the engine is: the report scans a window of tasks.
  const reloadSoon = useCoalesced(() => stats.reload(), 2000);
  useEvents({}, reloadSoon);

  const s = stats.data;
  const alive = nodes.data?.items.filter((n) => n.state === "alive") ?? [];
  const dead = nodes.data?.items.filter((n) => n.state === "dead") ?? [];
  return (
    <div class="page">
      <div class="page-head">
        <h1>Overview</h1>
        <div class="segmented" role="group" aria-label="window">
          {(["1h", "24h"] as const).map((w) => (
            <button key={w} type="button" class={`btn plain${w === window ? " active" : ""}`} onClick={() => setWindow(w)}>
              {w === "1h" ? "Last hour" : "Last day"}
            </button>
          ))}
        </div>
      </div>
      <ErrorNotice error={stats.error} />
      {!s ? (
        stats.loading ? <Loading /> : null
      ) : (
        <>
          <p class="muted small">
            Counts: tasks created in the {window === "1h" ? "last hour" : "last day"}, by status now. Charts: tasks that ended in
            it ({s.ended.succeeded} succeeded, {s.ended.failed} failed, {s.ended.cancelled} cancelled).
          </p>
          <section class="counts" data-testid="status-counts">
            {TASK_STATUSES.map((status) => (
              <Link key={status} href={`/tasks?status=${status}`} class={`count-card status-edge-${status}`}>
                <span class="count-number">{s.counts[status] ?? 0}</span>
                <StatusBadge status={status} />
              </Link>
            ))}
            <div class="count-card" title="succeeded / (succeeded + failed) of the tasks that ended in the window; cancelled ones left out">
              <span class="count-number">{percent(s.successRate)}</span>
              <span class="muted">success rate</span>
            </div>
          </section>
          <Charts stats={s} window={window} />
        </>
      )}
      <section class="tiles">
        <div class="card">
          <h2>Oldest waiting task</h2>
          {s?.oldestWaiting ? (
            <p data-testid="oldest-waiting">
              <Link href={`/tasks/${s.oldestWaiting.id}`}>{s.oldestWaiting.type}</Link> on queue <code>{s.oldestWaiting.queue}</code>,
              waiting for a worker for <strong>{shortDuration(s.oldestWaiting.waitingMs)}</strong>
            </p>
          ) : (
            <p class="muted">No task is waiting for a worker.</p>
          )}
        </div>
        <div class="card">
          <h2>Nodes</h2>
          <ErrorNotice error={nodes.error} />
          <p>
            <strong>{alive.length}</strong> live{dead.length > 0 ? <span class="text-failed">, {dead.length} dead</span> : null}{" "}
            · <Link href="/nodes">details</Link>
          </p>
          <ul class="plain-list">
            {alive.slice(0, 5).map((n) => (
              <li key={n.id}>
                {n.name} <span class="muted">{n.inFlight}/{n.capacity} busy</span>
              </li>
            ))}
          </ul>
        </div>
        <div class="card">
          <h2>Scheduler</h2>
          {scheduler.error instanceof ApiError && scheduler.error.status === 404 ? (
            <p class="muted">This server does not report a scheduler.</p>
          ) : (
            <ErrorNotice error={scheduler.error} />
          )}
          {scheduler.data ? (
            <p data-testid="scheduler">
              Leader: <strong>{scheduler.data.leader?.nodeName ?? "none"}</strong>
              {scheduler.data.leader ? (
                <span class="muted">
                  {" "}
                  (elected <RelativeTime at={scheduler.data.leader.since} />)
                </span>
              ) : null}
              <br />
              Lag: {shortDuration(scheduler.data.lagMs)}
              {scheduler.data.lastTickAt ? (
                <span class="muted">
                  {" "}
                  · last tick <RelativeTime at={scheduler.data.lastTickAt} />
                </span>
              ) : null}
            </p>
          ) : null}
        </div>
      </section>
      {s && s.durations.length > 0 ? (
        <section class="card">
          <h2>Durations by type ({window})</h2>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>type</th>
                  <th class="num">succeeded</th>
                  <th class="num">p50</th>
                  <th class="num">p90</th>
                  <th class="num">p99</th>
                  <th class="num">max</th>
                </tr>
              </thead>
              <tbody>
                {s.durations.map((d) => (
                  <tr key={d.type}>
                    <td>
                      <Link href={`/tasks?type=${encodeURIComponent(d.type)}`}>{d.type}</Link>
                    </td>
                    <td class="num">{d.count}</td>
                    <td class="num">{shortDuration(d.p50Ms)}</td>
                    <td class="num">{shortDuration(d.p90Ms)}</td>
                    <td class="num">{shortDuration(d.p99Ms)}</td>
                    <td class="num">{shortDuration(d.maxMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </div>
  );
}
