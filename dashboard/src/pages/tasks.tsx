// Tasks: filters, search, cursor paging (keyset: as fast on page 1,000 as on page 1), live
// updates from the event stream, and bulk cancel/retry of the selected rows.
import { useState } from "preact/hooks";
import { RETRYABLE, TERMINAL, type Task } from "../api/types.js";
import { ActionButton } from "../components/action-button.js";
import { EmptyState, ErrorNotice, Loading } from "../components/notice.js";
import { TaskTable } from "../components/task-table.js";
import { useAsync, useLiveReload, useNow } from "../hooks.js";
import { useLocation } from "../router.js";
import { useSession } from "../session.js";
import { filtersFrom, TaskFilters } from "./task-filters.js";

const PAGE_SIZE = 50;
const POLL_MS = 3000;
/** A busy engine sends thousands of events a second: the list re-reads at most once a second. */
const LIVE_COALESCE_MS = 1000;

/** Runs `action` on every id; says how many worked and why the others did not. */
async function forEachTask(ids: string[], action: (id: string) => Promise<unknown>): Promise<string> {
  const results = await Promise.allSettled(ids.map(action));
  const failures = results.flatMap((r, i) => (r.status === "rejected" ? [`${ids[i].slice(0, 8)}: ${(r.reason as Error).message}`] : []));
  const done = results.length - failures.length;
  if (failures.length > 0) throw new Error(`${done} done, ${failures.length} refused — ${failures.join("; ")}`);
  return `${done} done`;
}

export function TasksPage() {
  const { api, canAct, who } = useSession();
  const location = useLocation();
  const filters = filtersFrom(location.query);
  const filterKey = JSON.stringify(filters);
  // Paging and selection belong to one filter set: new filters start from the first page with
  // nothing selected (state keyed by the filters, so no render ever mixes old and new).
  const [view, setView] = useState<{ key: string; cursors: (string | null)[]; selected: Set<string> }>({
    key: filterKey,
    cursors: [null],
    selected: new Set(),
  });
  const current = view.key === filterKey ? view : { key: filterKey, cursors: [null], selected: new Set<string>() };
  // The cursors of the pages up to this one, so "Newer" can go back.
  const { cursors, selected } = current;
  const setCursors = (next: (string | null)[]) => setView({ ...current, cursors: next, selected: new Set() });
  const setSelected = (next: Set<string>) => setView({ ...current, selected: next });
  const [notice, setNotice] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1];
  const page = useAsync(() => api.listTasks({ ...filters, limit: PAGE_SIZE, cursor }), [api, filterKey, cursor]);
  const now = useNow(1000);

  // Any task transition may change this page (a new task, a status): reload it, coalesced;
  // while the event stream is down the page polls instead.
  const live = useLiveReload({}, page.reload, POLL_MS, LIVE_COALESCE_MS);

  const tasks: Task[] = page.data?.items ?? [];
  const chosen = tasks.filter((t) => selected.has(t.id));
  const cancellable = chosen.filter((t) => !TERMINAL.includes(t.status));
  const retryable = chosen.filter((t) => RETRYABLE.includes(t.status));
  const selection = {
    selected,
    toggle: (id: string) => {
      const next = new Set(selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      setSelected(next);
    },
    toggleAll: (ids: string[], on: boolean) => {
      const next = new Set(selected);
      for (const id of ids) on ? next.add(id) : next.delete(id);
      setSelected(next);
    },
  };
  const bulk = async (label: string, ids: string[], action: (id: string) => Promise<unknown>) => {
    setNotice(null);
    try {
      setNotice(`${label}: ${await forEachTask(ids, action)}`);
    } finally {
      setSelected(new Set());
      page.reload();
    }
  };

  return (
    <div class="page">
      <div class="page-head">
        <h1>Tasks</h1>
        <span class={`live ${live ? "on" : "off"}`} title={live ? "live updates from the event stream" : "the event stream is not connected: refreshing every 3s"}>
          {live ? "live" : "polling"}
        </span>
      </div>
      <TaskFilters filters={filters} />
      {canAct ? (
        <div class="bulk-bar" data-testid="bulk-actions">
          <span class="muted">{selected.size} selected</span>
          <ActionButton
            kind="danger"
            confirm
            disabled={cancellable.length === 0}
            onAction={() => bulk("Cancel", cancellable.map((t) => t.id), (id) => api.cancelTask(id))}
          >
            Cancel {cancellable.length || ""}
          </ActionButton>
          <ActionButton
            kind="primary"
            disabled={retryable.length === 0}
            onAction={() => bulk("Retry", retryable.map((t) => t.id), (id) => api.retryTask(id))}
          >
            Retry {retryable.length || ""}
          </ActionButton>
          {notice ? <span class="muted">{notice}</span> : null}
        </div>
      ) : null}
      <ErrorNotice error={page.error} />
      {page.data === undefined ? (
        page.loading ? <Loading /> : null
      ) : tasks.length === 0 ? (
        <EmptyState title={Object.keys(filters).length > 0 ? "No task matches these filters" : "No tasks yet"}>
          Dispatch one with <code>taskrail dispatch</code> or <code>POST /api/v1/tasks</code>.
        </EmptyState>
      ) : (
        <TaskTable tasks={tasks} selection={canAct ? selection : undefined} now={now} showTenant={who.tenant === null} />
      )}
      <div class="pager">
        <button type="button" class="btn plain" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Newer
        </button>
        <span class="muted">
          page {cursors.length}
          {page.data?.total !== undefined ? ` · ${page.data.total.toLocaleString("en-US")}${page.data.totalCapped ? "+" : ""} tasks` : ""}
        </span>
        <button
          type="button"
          class="btn plain"
          disabled={!page.data?.nextCursor}
          onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}
        >
          Older →
        </button>
      </div>
    </div>
  );
}
