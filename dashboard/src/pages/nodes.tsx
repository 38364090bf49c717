// Nodes: every registered process with labels, queues, executors, capacity, in-flight work and
// heartbeat age; dead nodes stand out.
import type { NodeInfo } from "../api/types.js";
import { EmptyState, ErrorNotice, Loading } from "../components/notice.js";
import { StatusBadge } from "../components/status-badge.js";
import { RelativeTime } from "../components/time.js";
import { relativeTime } from "../format.js";
import { useAsync, useInterval, useNow } from "../hooks.js";
import { useSession } from "../session.js";

const REFRESH_MS = 3000;
const ORDER: Record<NodeInfo["state"], number> = { alive: 0, dead: 1, stopped: 2 };

function Tags(props: { values: string[] }) {
  if (props.values.length === 0) return <span class="muted">—</span>;
  return (
    <span class="tags">
      {props.values.map((v) => (
        <code key={v} class="tag">
          {v}
        </code>
      ))}
    </span>
  );
}

export function NodesPage() {
  const { api } = useSession();
  const nodes = useAsync(() => api.listNodes(), [api]);
  useInterval(nodes.reload, REFRESH_MS);
  const now = useNow(1000);
  const items = [...(nodes.data?.items ?? [])].sort((a, b) => ORDER[a.state] - ORDER[b.state] || a.name.localeCompare(b.name));
  return (
    <div class="page">
      <div class="page-head">
        <h1>Nodes</h1>
        <span class="muted">
          {items.filter((n) => n.state === "alive").length} live · {items.filter((n) => n.state === "dead").length} dead
        </span>
      </div>
      <ErrorNotice error={nodes.error} />
      {nodes.data === undefined ? (
        nodes.loading ? <Loading /> : null
      ) : items.length === 0 ? (
        <EmptyState title="No node has registered">Start one with <code>taskrail serve</code> or <code>taskrail worker</code>.</EmptyState>
      ) : (
        <div class="node-grid" data-testid="node-list">
          {items.map((n) => (
            <article key={n.id} class={`card node node-${n.state}`} data-node={n.name}>
              <header>
                <strong>{n.name}</strong> <StatusBadge status={n.state} />
              </header>
              <div class="muted small mono">
                {n.host} · pid {n.pid} · v{n.version}
              </div>
              <div class="load">
                <meter min={0} max={Math.max(1, n.capacity)} value={n.inFlight} />
                <span>
                  {n.inFlight}/{n.capacity} in flight
                </span>
              </div>
              <dl>
                <dt>heartbeat</dt>
                <dd class={n.state === "dead" ? "text-failed" : ""} title={new Date(n.lastHeartbeatAt).toLocaleString()}>
                  {relativeTime(n.lastHeartbeatAt, now)}
                </dd>
                <dt>started</dt>
                <dd>
                  <RelativeTime at={n.startedAt} />
                </dd>
                <dt>labels</dt>
                <dd>
                  <Tags values={Object.entries(n.labels).map(([k, v]) => `${k}=${v}`)} />
                </dd>
                <dt>queues</dt>
                <dd>
                  <Tags values={n.queues} />
                </dd>
                <dt>executors</dt>
                <dd>
                  <Tags values={n.executors} />
                </dd>
              </dl>
            </article>
          ))}
        </div>
      )}
    </div>
  );
}
