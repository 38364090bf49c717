// One definition: schedule, next fire times, template, actions and its history of tasks.
import { useState } from "preact/hooks";
import type { Task } from "../api/types.js";
import { JsonBlock } from "../components/json-block.js";
import { EmptyState, ErrorNotice, Loading } from "../components/notice.js";
import { misfireText, scheduleText } from "../components/schedule-text.js";
import { TaskTable } from "../components/task-table.js";
import { RelativeTime } from "../components/time.js";
import { useAsync, useLiveReload, useNow } from "../hooks.js";
import { Link, navigate } from "../router.js";
import { useSession } from "../session.js";
import { DefinitionActions, TriggeredNotice } from "./definitions.js";

export function DefinitionDetailPage(props: { name: string }) {
  const { api, canAct } = useSession();
  const definition = useAsync(() => api.getDefinition(props.name), [api, props.name]);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  const history = useAsync(() => api.definitionHistory(props.name, cursor), [api, props.name, cursor]);
  const now = useNow(1000);
  const [triggered, setTriggered] = useState<Task | null>(null);

  const d = definition.data;
  // Until the definition (and so its id) is loaded, follow nothing rather than everything.
  useLiveReload(d?.id ? { definitionId: d.id } : null, () => {
    definition.reload();
    history.reload();
  });
  if (!d) {
    return (
      <div class="page">
        <ErrorNotice error={definition.error} />
        {definition.loading ? <Loading /> : null}
      </div>
    );
  }
  return (
    <div class="page" data-testid="definition-detail">
      <div class="page-head">
        <h1>
          {d.name} {!d.enabled ? <span class="badge status-cancelled">disabled</span> : null}
        </h1>
        {canAct ? (
          <DefinitionActions
            definition={d}
            onChanged={definition.reload}
            onDeleted={() => navigate("/definitions")}
            onTriggered={(task) => {
              setTriggered(task);
              definition.reload();
              history.reload();
            }}
          />
        ) : null}
      </div>
      {triggered ? <TriggeredNotice name={d.name} task={triggered} /> : null}
      {d.description ? <p>{d.description}</p> : null}
      <div class="detail-grid">
        <section class="card">
          <h2>Schedule</h2>
          <p class="mono">{scheduleText(d.spec.schedule)}</p>
          {d.spec.schedule ? (
            <p class="muted small">
              misfire {misfireText(d.spec.schedule.misfire)} · overlap {d.spec.schedule.overlap ?? "allow (default)"}
            </p>
          ) : null}
          <h3>Next fire times</h3>
          {d.enabled && d.nextFireTimes && d.nextFireTimes.length > 0 ? (
            <ul class="plain-list" data-testid="next-fire-times">
              {d.nextFireTimes.map((t) => (
                <li key={t}>
                  {new Date(t).toLocaleString()} <span class="muted">(<RelativeTime at={t} />)</span>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">{d.enabled ? "No upcoming fire time." : "Disabled: it does not fire."}</p>
          )}
          {d.skippedFires && d.skippedFires.length > 0 ? (
            <>
              <h3>Skipped fires</h3>
              <ul class="plain-list small">
                {d.skippedFires.map((f) => (
                  <li key={f.id}>
                    {new Date(f.scheduledAt).toLocaleString()}
                    {f.count > 1 ? ` and ${f.count - 1} more` : ""}: {f.reason}
                    {f.blockingTaskId ? (
                      <>
                        {" "}
                        (task <Link href={`/tasks/${f.blockingTaskId}`}>{f.blockingTaskId.slice(0, 8)}…</Link> was still active)
                      </>
                    ) : null}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
        <section class="card">
          <h2>Task template</h2>
          <JsonBlock value={d.spec.task} />
        </section>
      </div>
      <section class="card">
        <h2>History</h2>
        <ErrorNotice error={history.error} />
        {history.data === undefined ? (
          history.loading ? <Loading /> : null
        ) : history.data.items.length === 0 ? (
          <EmptyState title="No task from this definition yet" />
        ) : (
          <TaskTable tasks={history.data.items} now={now} />
        )}
        <div class="pager">
          <button type="button" class="btn plain" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            ← Newer
          </button>
          <button
            type="button"
            class="btn plain"
            disabled={!history.data?.nextCursor}
            onClick={() => history.data?.nextCursor && setCursors([...cursors, history.data.nextCursor])}
          >
            Older →
          </button>
        </div>
      </section>
    </div>
  );
}
