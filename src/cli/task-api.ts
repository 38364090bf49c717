// The operations the CLI's task and definition commands need, whether they open the store
// (TaskrailClient) or call a server (HttpApiClient with `--server`).
import type { Definition } from "../core/definition.js";
import type { Task, TaskLogEntry } from "../core/task.js";
import type { DefinitionQuery } from "../core/validation/definition-query.js";
import type { DefinitionSpec } from "../core/validation/definition-spec.js";
import type { TaskQuery } from "../core/validation/task-query.js";
import type { TaskSpec } from "../core/validation/task-spec.js";
import type { ApplyDefinitionResult, DefinitionDetails } from "../client/definition-operations.js";
import type { DefinitionPage, DuplicatePolicy, LogQuery, TaskPage } from "../store/store.js";

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
  /** The definition with this id, or null when it is gone (tasks outlive their definitions). */
  getDefinitionById(id: string): Promise<Definition | null>;
}

/** What the `defs` commands call. */
export interface DefinitionApi {
  createDefinition(spec: DefinitionSpec): Promise<Definition>;
  applyDefinition(spec: DefinitionSpec): Promise<ApplyDefinitionResult>;
  listDefinitions(query: DefinitionQuery): Promise<DefinitionPage>;
  /** With its next fire times and recent skips (DEFINITION_NOT_FOUND when absent). */
  getDefinition(name: string): Promise<DefinitionDetails>;
  enableDefinition(name: string): Promise<Definition>;
  disableDefinition(name: string): Promise<Definition>;
  triggerDefinition(name: string): Promise<Task>;
  deleteDefinition(name: string): Promise<void>;
  /** Tasks the definition made, newest first. */
  definitionHistory(name: string, query: TaskQuery): Promise<TaskPage>;
}

/** Everything a CLI command may call. */
export type CliApi = TaskApi & DefinitionApi;
