// Durable task events: one row per task or step status transition, recorded by the database
// in the same transaction as the transition (read by the live event stream and dashboards).
import type { StepStatus, TaskStatus } from "./status.js";

/**
 * What happened. `task:dispatched` when a task is created, `task:<status>` when a task moves
 * to that status, `task:cancel-requested` when a cancel is asked of a running task,
 * `step:<status>` when a step moves to that status (`step:pending`: a try ended and the step
 * waits to run again, or an operator retry reset it; its message says why).
 */
export type TaskEventKind = "task:dispatched" | "task:cancel-requested" | `task:${TaskStatus}` | `step:${StepStatus}`;

/** One recorded transition. */
export interface TaskEvent {
  /** Increasing position in the log; what `Last-Event-ID` and `afterId` refer to. */
  id: number;
  tenant: string;
  taskId: string;
  /** The definition whose schedule made the task, if any. */
  definitionId: string | null;
  kind: TaskEventKind;
  /** Step name (step events only). */
  step: string | null;
  /** The step's try number at the transition (step events only). */
  attempt: number | null;
  /** The task's or step's status after the transition. */
  status: TaskStatus | StepStatus;
  /** The task's or step's message after the transition (e.g. the error of a failed try). */
  message: string | null;
  /** When the database recorded the event (its own clock). */
  createdAt: Date;
}
