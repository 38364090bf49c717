// The task operations the CLI's task commands need, whether they open the store (TaskrailClient)
// or call a server (HttpApiClient with `--server`).
import type { Task, TaskLogEntry } from "../core/task.js";
import type { TaskQuery } from "../core/validation/task-query.js";
import type { TaskSpec } from "../core/validation/task-spec.js";
import type { DuplicatePolicy, LogQuery, TaskPage } from "../store/store.js";

/** A definition as the task commands show it (tasks made by a schedule name their definition). */
export interface DefinitionRef {
  id: string;
  name: string;
}

/** What dispatch, list, show, cancel, retry, skip and logs call. */
export interface TaskApi {
  dispatch(spec: TaskSpec, options: { onDuplicate?: DuplicatePolicy }): Promise<Task>;
  getTask(id: string): Promise<Task>;
  listTasks(query: TaskQuery): Promise<TaskPage>;
  cancelTask(id: string): Promise<Task>;
  retryTask(id: string, options: { fromStep?: string }): Promise<Task>;
  skipStep(id: string, step: string): Promise<Task>;
  listLogs(id: string, query: Partial<LogQuery>): Promise<TaskLogEntry[]>;
  /** Resolves once the task has ended. */
  waitForTask(id: string, options: { pollMs?: number }): Promise<Task>;
  /** Why a pending task cannot run yet, or null. */
  waitingReason(task: Task): Promise<string | null>;
  /** The definition named `name` (DEFINITION_NOT_FOUND when absent). */
  getDefinition(name: string): Promise<DefinitionRef>;
  /** The definition with this id, or null when it is gone (tasks outlive their definitions). */
  getDefinitionById(id: string): Promise<DefinitionRef | null>;
}
