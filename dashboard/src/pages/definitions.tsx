// Definitions: every stored template with its schedule, next fire, last result and actions.
import { useState } from "preact/hooks";
import type { Definition, Task } from "../api/types.js";
import { ActionButton } from "../components/action-button.js";
import { EmptyState, ErrorNotice, Loading } from "../components/notice.js";
import { scheduleText } from "../components/schedule-text.js";
import { StatusBadge } from "../components/status-badge.js";
import { RelativeTime } from "../components/time.js";
import { useAsync, useInterval } from "../hooks.js";
import { Link } from "../router.js";
import { useSession } from "../session.js";

/** Enable/disable, trigger and delete of one definition; `onChanged` reloads the view. */
export function DefinitionActions(props: {
  definition: Definition;
  onChanged: () => void;
  onDeleted?: () => void;
  /** Called with the task a trigger created. */
  onTriggered: (task: Task) => void;
}) {
  const { api } = useSession();
  const d = props.definition;
  return (
    <div class="actions" data-testid="definition-actions">
      <ActionButton
        kind="primary"
        testId="trigger"
        onAction={async () => {
          props.onTriggered(await api.triggerDefinition(d.name));
        }}
      >
        Trigger now
      </ActionButton>
      <ActionButton
        testId={d.enabled ? "disable" : "enable"}
        onAction={async () => {
          await api.setDefinitionEnabled(d.name, !d.enabled);
          props.onChanged();
        }}
      >
        {d.enabled ? "Disable" : "Enable"}
      </ActionButton>
      <Link href={`/definitions/${encodeURIComponent(d.name)}/edit`} class="btn plain">
        Edit
      </Link>
      <ActionButton
        kind="danger"
        confirm
        testId="delete"
        onAction={async () => {
          await api.deleteDefinition(d.name);
          (props.onDeleted ?? props.onChanged)();
        }}
      >
        Delete
      </ActionButton>
    </div>
  );
}

/** The status of a definition's latest task, linked to it (one small read per row). */
function LastTask(props: { id: string }) {
  const { api } = useSession();
  const task = useAsync(() => api.getTask(props.id), [api, props.id]);
  if (task.error) return <span class="muted small">task gone</span>;
  return (
    <Link href={`/tasks/${props.id}`} title="the latest task it made">
      {task.data ? <StatusBadge status={task.data.status} /> : "task"}
    </Link>
  );
}

/** Says which task a trigger created, with a link to it. */
export function TriggeredNotice(props: { name: string; task: Task }) {
  return (
    <div class="notice" data-testid="triggered">
      Triggered {props.name}: task <Link href={`/tasks/${props.task.id}`}>{props.task.id}</Link> is {props.task.status}.
    </div>
  );
}

export function DefinitionsPage() {
  const { api, canAct } = useSession();
  // The cursors of the pages up to this one, so "Previous" can go back.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  const list = useAsync(() => api.listDefinitions(cursor), [api, cursor]);
  useInterval(list.reload, 10_000);
  const items = list.data?.items ?? [];
  const [triggered, setTriggered] = useState<{ name: string; task: Task } | null>(null);
  return (
    <div class="page">
      <div class="page-head">
        <h1>Definitions</h1>
        {canAct ? (
          <Link href="/definitions/new" class="btn primary">
            New definition
          </Link>
        ) : null}
      </div>
      <ErrorNotice error={list.error} />
      {triggered ? <TriggeredNotice name={triggered.name} task={triggered.task} /> : null}
      {list.data === undefined ? (
        list.loading ? <Loading /> : null
      ) : items.length === 0 ? (
        <EmptyState title="No definitions yet">
          A definition is a stored task template with an optional schedule. Create one here or with{" "}
          <code>taskrail defs apply -f FILE</code>.
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table data-testid="definition-table">
            <thead>
              <tr>
                <th>name</th>
                <th>schedule</th>
                <th>next fire</th>
                <th class="hide-narrow">last run</th>
                {canAct ? <th>actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.name} data-definition={d.name} class={d.enabled ? "" : "disabled"}>
                  <td>
                    <Link href={`/definitions/${encodeURIComponent(d.name)}`}>{d.name}</Link>
                    {!d.enabled ? <span class="badge status-cancelled">disabled</span> : null}
                    {d.description ? <div class="muted small">{d.description}</div> : null}
                  </td>
                  <td class="mono small">{scheduleText(d.spec.schedule)}</td>
                  <td>{d.enabled && d.nextFireAt ? <RelativeTime at={d.nextFireAt} /> : <span class="muted">—</span>}</td>
                  <td class="hide-narrow">
                    {d.lastTaskId ? <LastTask id={d.lastTaskId} /> : null}{" "}
                    {d.lastFireAt ? <RelativeTime at={d.lastFireAt} /> : <span class="muted">never fired</span>}
                  </td>
                  {canAct ? (
                    <td>
                      <DefinitionActions definition={d} onChanged={list.reload} onTriggered={(task) => setTriggered({ name: d.name, task })} />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursors.length > 1 || list.data?.nextCursor ? (
        <div class="pager">
          <button type="button" class="btn plain" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            ← Previous
          </button>
          <span class="muted">page {cursors.length}</span>
          <button
            type="button"
            class="btn plain"
            disabled={!list.data?.nextCursor}
            onClick={() => list.data?.nextCursor && setCursors([...cursors, list.data.nextCursor])}
          >
            Next →
          </button>
        </div>
      ) : null}
    </div>
  );
}
