// The human view of one task (`show`, `show --follow`, `dispatch` without --json): a header,
// a table of steps and the params; plus one-line summaries for non-TTY follow output.
import { paramsTimeline } from "../core/params-timeline.js";
import type { Step, Task } from "../core/task.js";
import { formatDuration, formatStepCounter, formatTable, formatTime, formatValue, truncate } from "./output.js";

function stepDurationMs(step: Step, now: Date): number | null {
  if (step.executionMs !== null) return step.executionMs;
  if (step.status === "running" && step.startedAt) return now.getTime() - step.startedAt.getTime();
  return null;
}

function taskDurationMs(task: Task, now: Date): number | null {
  if (task.executionMs !== null) return task.executionMs;
  if (task.startedAt && task.status === "running") return now.getTime() - task.startedAt.getTime();
  return null;
}

/** The steps table: name, executor, status, attempts/maxTries, duration, message. */
export function formatStepsTable(task: Task, now: Date = new Date()): string {
  const rows = task.steps.map((s, i) => [
    `${i === task.currentStep && (task.status === "running" || task.status === "pending") ? ">" : " "} ${i + 1}`,
    s.alias && s.alias !== s.name ? `${s.name} (${s.alias})` : s.name,
    s.executor,
    s.status,
    `${s.attempts}/${s.maxTries}`,
    formatDuration(stepDurationMs(s, now)),
    truncate(s.message, 70),
  ]);
  return formatTable(["#", "STEP", "EXECUTOR", "STATUS", "TRIES", "DURATION", "MESSAGE"], rows);
}

/**
 * The full human view of a task. `definitionName` names the definition that made it (when
 * known; a deleted definition shows its id only).
 */
export function formatTaskView(task: Task, now: Date = new Date(), definitionName?: string | null): string {
  const lines: string[] = [];
  lines.push(`task      ${task.id}`);
  lines.push(`type      ${task.type}${task.name ? `  (${task.name})` : ""}`);
  lines.push(`status    ${task.status}${task.cancelRequested && task.status === "running" ? " (cancel requested)" : ""}`);
  lines.push(`progress  ${task.progress}%${task.progressMessage ? `  ${task.progressMessage}` : ""}`);
  lines.push(`step      ${formatStepCounter(task)}${task.steps[task.currentStep] ? `  ${task.steps[task.currentStep].name}` : ""}`);
  if (task.index !== null) lines.push(`index     ${task.index}${task.indexType ? `  (${task.indexType})` : ""}`);
  lines.push(`queue     ${task.queue}  priority ${task.priority}`);
  lines.push(`created   ${formatTime(task.createdAt)}${task.creator ? `  by ${task.creator}` : ""}`);
  if (task.definitionId !== null) {
    lines.push(`definition ${definitionName ? `${definitionName}  (${task.definitionId})` : `${task.definitionId}  (deleted or another tenant's)`}`);
    lines.push(`scheduled ${formatTime(task.scheduledAt)}`);
  }
  // runAt only matters while the task waits for it (a step retry's backoff moves it too).
  if (task.status === "pending" && task.runAt.getTime() > now.getTime()) lines.push(`run at    ${formatTime(task.runAt)}`);
  lines.push(`started   ${formatTime(task.startedAt)}`);
  lines.push(`ended     ${formatTime(task.endedAt)}`);
  lines.push(`duration  ${formatDuration(taskDurationMs(task, now))}${task.timeoutMs !== null ? `  (timeout ${formatDuration(task.timeoutMs)})` : ""}`);
  if (task.retryCount > 0) lines.push(`retried   ${task.retryCount}x`);
  if (task.message) lines.push(`message   ${task.message}`);
  if (task.callbacks.length > 0) {
    lines.push(`callbacks ${task.callbacks.join(", ")}  ${task.callbackStatus ?? "-"}${task.callbackMessage ? `: ${task.callbackMessage}` : ""}`);
  }
  lines.push("", formatStepsTable(task, now), "");
  const params = Object.entries(task.params);
  if (params.length === 0) lines.push("params    (none)");
  else {
    lines.push("params");
    for (const [k, v] of params) lines.push(`  ${k} = ${formatValue(v)}`);
  }
  lines.push(...formatParamsBySteps(task));
  if (task.status === "succeeded" && task.result !== null) lines.push(`result    ${formatValue(task.result)}`);
  return lines.join("\n");
}

/**
 * Where the params came from: the ones the task was dispatched with, then each key a step's
 * success set, with the value it replaced (the CLI's view of the dashboard's before/after).
 * Nothing when no step set a param.
 */
function formatParamsBySteps(task: Task): string[] {
  const views = paramsTimeline(task);
  const rows: string[][] = [];
  task.steps.forEach((step, i) => {
    const before = views[i].paramsBefore;
    for (const [key, value] of Object.entries(views[i].paramsAfter === null ? {} : (step.paramsSet ?? {}))) {
      const was = key in before ? `was ${formatValue(before[key])}` : "new";
      rows.push([`  ${i + 1}`, step.name, `${key} = ${formatValue(value)}`, `(${was})`]);
    }
  });
  if (rows.length === 0) return [];
  const initial = Object.entries(task.initialParams ?? {});
  return [
    "",
    `dispatched with ${initial.length === 0 ? "(no params)" : initial.map(([k, v]) => `${k} = ${formatValue(v)}`).join(", ")}`,
    "set by steps",
    ...formatTable(["#", "STEP", "PARAM", ""], rows).split("\n").slice(1),
  ];
}

/** What a follower compares to decide whether to print again (progress, steps, status). */
export function taskChangeKey(task: Task): string {
  return JSON.stringify([
    task.status,
    task.progress,
    task.progressMessage,
    task.currentStep,
    task.message,
    task.steps.map((s) => [s.status, s.attempts, s.message]),
  ]);
}

/** One line describing a task's state now, for non-TTY follow output. */
export function formatTaskLine(task: Task, now: Date = new Date()): string {
  const step = task.steps[task.currentStep];
  const stepPart = step ? ` step ${formatStepCounter(task)} ${step.name} ${step.status} (try ${step.attempts}/${step.maxTries})` : ` step ${formatStepCounter(task)}`;
  const ended = task.status !== "pending" && task.status !== "running";
  const msg = ended ? (task.message ?? null) : (task.progressMessage ?? step?.message ?? null);
  return `${formatTime(now)} ${task.status} ${task.progress}%${stepPart}${msg ? ` ${truncate(msg, 80)}` : ""}`;
}
