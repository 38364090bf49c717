// A table of tasks: status, what, where it is in its chain, progress, times. With `selection`
// each row gets a checkbox (for bulk actions).
import type { Task } from "../api/types.js";
import { between, shortDuration } from "../format.js";
import { Link } from "../router.js";
import { StatusBadge } from "./status-badge.js";
import { RelativeTime } from "./time.js";

export interface Selection {
  selected: ReadonlySet<string>;
  toggle: (id: string) => void;
  toggleAll: (ids: string[], on: boolean) => void;
}

function runtimeOf(task: Task, now: number): number | null {
  if (task.executionMs !== null && task.executionMs !== undefined && task.endedAt) return task.executionMs;
  if (task.startedAt && !task.endedAt) return now - new Date(task.startedAt).getTime();
  return between(task.startedAt, task.endedAt);
}

function StepCell(props: { task: Task }) {
  const { task } = props;
  const total = task.steps.length;
  const step = task.steps[Math.min(task.currentStep, total - 1)];
  if (!step) return <span class="muted">—</span>;
  const position = Math.min(task.currentStep + 1, total);
  return (
    <span title={step.message ?? undefined}>
      {position}/{total} <span class="muted">{step.alias ?? step.name}</span>
    </span>
  );
}

export function TaskTable(props: { tasks: Task[]; selection?: Selection; now: number; showTenant?: boolean }) {
  const { tasks, selection } = props;
  const allOn = selection !== undefined && tasks.length > 0 && tasks.every((t) => selection.selected.has(t.id));
  return (
    <div class="table-wrap">
      <table class="tasks" data-testid="task-table">
        <thead>
          <tr>
            {selection ? (
              <th class="check">
                <input
                  type="checkbox"
                  aria-label="select all on this page"
                  checked={allOn}
                  onChange={() => selection.toggleAll(tasks.map((t) => t.id), !allOn)}
                />
              </th>
            ) : null}
            <th>status</th>
            <th>task</th>
            <th class="hide-narrow">index</th>
            <th class="hide-narrow">queue</th>
            <th>step</th>
            <th class="hide-narrow">progress</th>
            <th>created</th>
            <th class="num hide-narrow">runtime</th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => (
            <tr key={task.id} data-task-id={task.id} class={selection?.selected.has(task.id) ? "selected" : ""}>
              {selection ? (
                <td class="check">
                  <input
                    type="checkbox"
                    aria-label={`select ${task.id}`}
                    checked={selection.selected.has(task.id)}
                    onChange={() => selection.toggle(task.id)}
                  />
                </td>
              ) : null}
              <td>
                <StatusBadge status={task.status} title={task.message ?? task.waitingReason ?? undefined} />
                {task.cancelRequested && task.status === "running" ? <span class="muted small"> cancelling</span> : null}
              </td>
              <td class="task-cell">
                <Link href={`/tasks/${task.id}`}>{task.name ?? task.type}</Link>
                <div class="muted small mono">
                  {props.showTenant ? `${task.tenant} · ` : ""}
                  {task.name ? `${task.type} · ` : ""}
                  {task.id.slice(0, 8)}…
                </div>
                {task.message && task.status !== "succeeded" ? <div class="small text-failed clip">{task.message}</div> : null}
              </td>
              <td class="hide-narrow mono">{task.index ?? <span class="muted">—</span>}</td>
              <td class="hide-narrow">{task.queue}</td>
              <td>
                <StepCell task={task} />
              </td>
              <td class="hide-narrow">
                <progress max={100} value={task.progress} title={task.progressMessage ?? `${task.progress}%`} />
              </td>
              <td>
                <RelativeTime at={task.createdAt} />
              </td>
              <td class="num hide-narrow">{shortDuration(runtimeOf(task, props.now))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
