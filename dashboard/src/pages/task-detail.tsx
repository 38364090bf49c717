// One task: its facts, progress, the step timeline, params and payload, the live log, and the
// operator's actions (cancel, retry, retry from a step, skip a step).
import { useState } from "preact/hooks";
import { RETRYABLE, TERMINAL, type Task } from "../api/types.js";
import { ActionButton } from "../components/action-button.js";
import { JsonBlock } from "../components/json-block.js";
import { ErrorNotice, Loading } from "../components/notice.js";
import { StatusBadge } from "../components/status-badge.js";
import { StepTimeline } from "../components/step-timeline.js";
import { TaskLog } from "../components/task-log.js";
import { RelativeTime } from "../components/time.js";
import { shortDuration } from "../format.js";
import { useAsync, useLiveReload, useNow } from "../hooks.js";
import { Link } from "../router.js";
import { useSession } from "../session.js";

const POLL_MS = 3000;

function Actions(props: { task: Task; onChanged: (task: Task) => void }) {
  const { api } = useSession();
  const { task } = props;
  const [fromStep, setFromStep] = useState<string>("");
  const failedStep = task.steps.find((s) => s.status === "failed" || s.status === "timeout" || s.status === "cancelled");
  const retryable = RETRYABLE.includes(task.status);
  const run = (action: () => Promise<Task>) => async () => props.onChanged(await action());
  // Retry from a step may go back to any step up to the one that ended the task.
  const lastRetryable = failedStep ? failedStep.index : task.steps.length - 1;
  const choices = task.steps.filter((s) => s.index <= lastRetryable);
  const from = fromStep || failedStep?.name || choices[0]?.name || "";
  return (
    <div class="actions" data-testid="task-actions">
      {!TERMINAL.includes(task.status) ? (
        <ActionButton kind="danger" confirm onAction={run(() => api.cancelTask(task.id))} testId="cancel">
          {task.cancelRequested ? "Cancel requested" : "Cancel"}
        </ActionButton>
      ) : null}
      {retryable ? (
        <>
          <ActionButton kind="primary" onAction={run(() => api.retryTask(task.id))} testId="retry">
            Retry{failedStep ? ` from ${failedStep.alias ?? failedStep.name}` : ""}
          </ActionButton>
          <span class="retry-from">
            <select aria-label="retry from step" value={from} onChange={(e) => setFromStep((e.target as HTMLSelectElement).value)}>
              {choices.map((s) => (
                <option key={s.name} value={s.name}>
                  {s.alias ?? s.name}
                </option>
              ))}
            </select>
            <ActionButton onAction={run(() => api.retryTask(task.id, from))} testId="retry-from">
              Retry from step
            </ActionButton>
          </span>
        </>
      ) : null}
      {task.status === "failed" && failedStep ? (
        <ActionButton confirm onAction={run(() => api.skipStep(task.id, failedStep.name))} testId="skip">
          Skip {failedStep.alias ?? failedStep.name}
        </ActionButton>
      ) : null}
    </div>
  );
}

export function TaskDetailPage(props: { id: string }) {
  const { api, canAct } = useSession();
  const loaded = useAsync(() => api.getTask(props.id), [api, props.id]);
  const task = loaded.data;
  const now = useNow(1000);
  // Events of this task reload it; without the stream it is polled (an operator elsewhere may retry it).
  useLiveReload({ taskId: props.id }, loaded.reload, POLL_MS);

  if (!task) {
    return (
      <div class="page">
        <ErrorNotice error={loaded.error} />
        {loaded.loading ? <Loading /> : null}
      </div>
    );
  }
  const runtime = task.executionMs ?? (task.startedAt && !task.endedAt ? now - new Date(task.startedAt).getTime() : null);
  return (
    <div class="page" data-testid="task-detail">
      <div class="page-head">
        <h1>
          {task.name ?? task.type} <StatusBadge status={task.status} />
        </h1>
        {canAct ? <Actions task={task} onChanged={loaded.setData} /> : null}
      </div>
      <ErrorNotice error={loaded.error} />
      {task.message ? (
        <div class={`notice ${task.status === "succeeded" ? "" : "error"}`} data-testid="task-message">
          {task.message}
        </div>
      ) : null}
      {task.waitingReason ? <div class="notice">{task.waitingReason}</div> : null}
      <section class="card facts">
        <dl>
          <dt>id</dt>
          <dd class="mono">{task.id}</dd>
          <dt>type</dt>
          <dd>
            <Link href={`/tasks?type=${encodeURIComponent(task.type)}`}>{task.type}</Link>
          </dd>
          <dt>index</dt>
          <dd class="mono">{task.index ? `${task.indexType ? `${task.indexType}:` : ""}${task.index}` : "—"}</dd>
          <dt>queue · priority</dt>
          <dd>
            {task.queue} · {task.priority}
          </dd>
          <dt>tenant</dt>
          <dd>{task.tenant}</dd>
          <dt>creator</dt>
          <dd>{task.creator ?? "—"}</dd>
          {task.definitionId ? (
            <>
              <dt>definition</dt>
              <dd>
                <Link href={`/tasks?definitionId=${encodeURIComponent(task.definitionId)}`}>{task.definitionId}</Link>
              </dd>
            </>
          ) : null}
          <dt>created</dt>
          <dd>
            <RelativeTime at={task.createdAt} />
          </dd>
          <dt>run at</dt>
          <dd>
            <RelativeTime at={task.runAt} />
          </dd>
          <dt>started · ended</dt>
          <dd>
            <RelativeTime at={task.startedAt} /> · <RelativeTime at={task.endedAt} />
          </dd>
          <dt>runtime</dt>
          <dd>{shortDuration(runtime)}</dd>
          <dt>retried</dt>
          <dd>{task.retryCount} times</dd>
          {task.lockedBy ? (
            <>
              <dt>running on</dt>
              <dd class="mono">{task.lockedBy}</dd>
            </>
          ) : null}
        </dl>
        <div class="progress-row">
          <progress max={100} value={task.progress} />
          <span>
            {task.progress}%{task.progressMessage ? ` — ${task.progressMessage}` : ""}
          </span>
        </div>
      </section>
      <div class="detail-grid">
        <section class="card">
          <h2>Steps</h2>
          <StepTimeline task={task} now={now} />
        </section>
        <section class="card">
          <h2>Data</h2>
          <JsonBlock label="params (now, with what steps shared)" value={task.params} />
          <JsonBlock label="payload" value={task.payload} />
          <JsonBlock label="result (last step's output)" value={task.result} />
        </section>
      </div>
      <TaskLog task={task} />
    </div>
  );
}
