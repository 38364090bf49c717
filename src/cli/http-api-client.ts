// The task operations of the CLI over the REST API (`--server URL --token T`): the same calls
// the CLI makes on a local TaskrailClient, sent with fetch, answers turned back into domain
// values (dates revived) and API errors turned back into taskrail's errors and exit codes.
import { ERROR_CODES, StoreUnavailableError, TaskrailError, ValidationError, errorMessage, type ErrorCode, type FieldError } from "../core/errors.js";
import { isTerminalTaskStatus } from "../core/status.js";
import type { Step, Task, TaskLogEntry } from "../core/task.js";
import type { TaskQuery } from "../core/validation/task-query.js";
import type { TaskSpec } from "../core/validation/task-spec.js";
import type { DuplicatePolicy, LogQuery, TaskPage } from "../store/store.js";
import type { Definition, SkippedFire } from "../core/definition.js";
import type { DefinitionQuery } from "../core/validation/definition-query.js";
import type { DefinitionSpec } from "../core/validation/definition-spec.js";
import type { ApplyDefinitionResult, DefinitionDetails } from "../client/definition-operations.js";
import type { DefinitionPage } from "../store/store.js";
import type { CliApi } from "./task-api.js";

/** Where and as whom to call the API. */
export interface HttpApiClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** A bearer token (`taskrail token create`). */
  token: string;
  /** Longest wait for one answer. @default 30_000 */
  timeoutMs?: number;
  /** The fetch to use (tests). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The API's error body. */
interface ApiErrorBody {
  error?: { code?: unknown; message?: unknown; fields?: unknown };
}

const TASK_DATES = ["runAt", "deadlineAt", "scheduledAt", "leaseUntil", "createdAt", "startedAt", "endedAt", "updatedAt"] as const;
const STEP_DATES = ["startedAt", "endedAt"] as const;

/** Turns the ISO strings of a task answered as JSON back into Dates. */
export function reviveTask(json: unknown): Task {
  const task = json as Record<string, unknown>;
  for (const key of TASK_DATES) if (typeof task[key] === "string") task[key] = new Date(task[key] as string);
  for (const step of (task.steps ?? []) as Record<string, unknown>[]) {
    for (const key of STEP_DATES) if (typeof step[key] === "string") step[key] = new Date(step[key] as string);
  }
  return task as unknown as Task & { steps: Step[] };
}

const DEFINITION_DATES = ["nextFireAt", "lastFireAt", "createdAt", "updatedAt"] as const;

/** Turns the ISO strings of a definition (with details, when present) back into Dates. */
export function reviveDefinition<D extends Definition>(json: unknown): D {
  const def = json as Record<string, unknown>;
  for (const key of DEFINITION_DATES) if (typeof def[key] === "string") def[key] = new Date(def[key] as string);
  const schedule = def.schedule as Record<string, unknown> | null | undefined;
  if (schedule) for (const key of ["startAt", "at"]) if (typeof schedule[key] === "string") schedule[key] = new Date(schedule[key] as string);
  if (Array.isArray(def.nextFireTimes)) def.nextFireTimes = (def.nextFireTimes as string[]).map((t) => new Date(t));
  if (Array.isArray(def.skippedFires)) {
    def.skippedFires = (def.skippedFires as Record<string, unknown>[]).map(
      (s) => ({ ...s, scheduledAt: new Date(s.scheduledAt as string), recordedAt: new Date(s.recordedAt as string) }) as unknown as SkippedFire,
    );
  }
  return def as unknown as D;
}

/** The taskrail error an API error answer stands for (exit codes follow from its code). */
export function errorFromApi(status: number, body: unknown, what: string): Error {
  const error = (body as ApiErrorBody | null)?.error;
  const code = typeof error?.code === "string" ? error.code : undefined;
  const message = typeof error?.message === "string" ? error.message : `${what}: the server answered ${status}`;
  if (code === "VALIDATION_FAILED") {
    const fields = Array.isArray(error?.fields) ? (error.fields as FieldError[]) : [];
    return new ValidationError(fields.length > 0 ? fields : [{ path: "", message }]);
  }
  if (code !== undefined && (ERROR_CODES as readonly string[]).includes(code)) return new TaskrailError(code as ErrorCode, message);
  // A gateway or a server without the API in front of it: nothing taskrail can name.
  if (status === 502 || status === 503 || status === 504) return new StoreUnavailableError(`${what}: the server answered ${status}`);
  return new Error(code === undefined ? message : `server error [${code}]: ${message}`);
}

/** `?k=v&…` of a query object (lists repeat their key, Dates as ISO strings), or "". */
function queryString(query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, item instanceof Date ? item.toISOString() : String(item));
  }
  return params.size > 0 ? `?${params.toString()}` : "";
}

/** The API path of the definition named `name`. */
function definitionPath(name: string): string {
  return `/api/v1/definitions/${encodeURIComponent(name)}`;
}

/** The task and definition operations of the CLI, calling `taskrail serve` instead of opening the store. */
export class HttpApiClient implements CliApi {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async dispatch(spec: TaskSpec, options: { onDuplicate?: DuplicatePolicy } = {}): Promise<Task> {
    const query = options.onDuplicate === undefined ? "" : `?onDuplicate=${options.onDuplicate}`;
    return reviveTask(await this.call("POST", `/api/v1/tasks${query}`, spec));
  }

  async getTask(id: string): Promise<Task> {
    const { waitingReason: _reason, ...task } = (await this.call("GET", `/api/v1/tasks/${encodeURIComponent(id)}`)) as Record<string, unknown>;
    return reviveTask(task);
  }

  async listTasks(query: TaskQuery = {}): Promise<TaskPage> {
    const page = (await this.call("GET", `/api/v1/tasks${queryString(query)}`)) as { items: unknown[]; total: number; totalCapped: boolean; nextCursor: string | null };
    return { items: page.items.map(reviveTask), total: page.total, totalCapped: page.totalCapped === true, nextCursor: page.nextCursor };
  }

  async cancelTask(id: string): Promise<Task> {
    return reviveTask(await this.call("POST", `/api/v1/tasks/${encodeURIComponent(id)}/cancel`));
  }

  async retryTask(id: string, options: { fromStep?: string } = {}): Promise<Task> {
    return reviveTask(await this.call("POST", `/api/v1/tasks/${encodeURIComponent(id)}/retry`, options.fromStep === undefined ? {} : { from: options.fromStep }));
  }

  async skipStep(id: string, step: string): Promise<Task> {
    return reviveTask(await this.call("POST", `/api/v1/tasks/${encodeURIComponent(id)}/skip`, { step }));
  }

  async listLogs(id: string, query: Partial<LogQuery> = {}): Promise<TaskLogEntry[]> {
    const params = new URLSearchParams();
    if (query.afterId !== undefined) params.set("afterId", String(query.afterId));
    if (query.limit !== undefined) params.set("limit", String(query.limit));
    if (query.stepIndex !== undefined) params.set("step", String(query.stepIndex));
    const qs = params.size > 0 ? `?${params.toString()}` : "";
    const page = (await this.call("GET", `/api/v1/tasks/${encodeURIComponent(id)}/logs${qs}`)) as { items: (TaskLogEntry & { at: string })[] };
    return page.items.map((line) => ({ ...line, at: new Date(line.at) }));
  }

  async waitForTask(id: string, options: { pollMs?: number } = {}): Promise<Task> {
    for (;;) {
      const task = await this.getTask(id);
      if (isTerminalTaskStatus(task.status)) return task;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  }

  /** The server computes it (it sees the nodes): one more read of the task. */
  async waitingReason(task: Task): Promise<string | null> {
    if (task.status !== "pending") return null;
    const answer = (await this.call("GET", `/api/v1/tasks/${encodeURIComponent(task.id)}`)) as { waitingReason?: string | null };
    return answer.waitingReason ?? null;
  }

  async createDefinition(spec: DefinitionSpec): Promise<Definition> {
    return reviveDefinition(await this.call("POST", "/api/v1/definitions", spec));
  }

  async applyDefinition(spec: DefinitionSpec): Promise<ApplyDefinitionResult> {
    const result = (await this.call("PUT", "/api/v1/definitions", spec)) as { definition: unknown; action: ApplyDefinitionResult["action"] };
    return { definition: reviveDefinition(result.definition), action: result.action };
  }

  async listDefinitions(query: DefinitionQuery = {}): Promise<DefinitionPage> {
    const page = (await this.call("GET", `/api/v1/definitions${queryString(query)}`)) as { items: unknown[]; total: number; nextCursor: string | null };
    return { items: page.items.map((d) => reviveDefinition<Definition>(d)), total: page.total, nextCursor: page.nextCursor };
  }

  async getDefinition(name: string): Promise<DefinitionDetails> {
    return reviveDefinition<DefinitionDetails>(await this.call("GET", definitionPath(name)));
  }

  async enableDefinition(name: string): Promise<Definition> {
    return reviveDefinition(await this.call("POST", `${definitionPath(name)}/enable`));
  }

  async disableDefinition(name: string): Promise<Definition> {
    return reviveDefinition(await this.call("POST", `${definitionPath(name)}/disable`));
  }

  async triggerDefinition(name: string): Promise<Task> {
    return reviveTask(await this.call("POST", `${definitionPath(name)}/trigger`));
  }

  async deleteDefinition(name: string): Promise<void> {
    await this.call("DELETE", definitionPath(name));
  }

  async definitionHistory(name: string, query: TaskQuery = {}): Promise<TaskPage> {
    const page = (await this.call("GET", `${definitionPath(name)}/history${queryString(query)}`)) as { items: unknown[]; total: number; totalCapped: boolean; nextCursor: string | null };
    return { items: page.items.map(reviveTask), total: page.total, totalCapped: page.totalCapped === true, nextCursor: page.nextCursor };
  }

  /**
   * The API looks definitions up by name only: pages through the caller's definitions (a
   * tenant holds tens to hundreds of them, 1,000 per page) and picks the one with this id.
   */
  async getDefinitionById(id: string): Promise<Definition | null> {
    let cursor: string | null = null;
    do {
      const qs: string = cursor === null ? "?limit=1000" : `?limit=1000&cursor=${encodeURIComponent(cursor)}`;
      const page = (await this.call("GET", `/api/v1/definitions${qs}`)) as { items: Definition[]; nextCursor: string | null };
      const found = page.items.find((d) => d.id === id);
      if (found !== undefined) return reviveDefinition(found);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return null;
  }

  /** One request; resolves with the JSON answer or throws the error it stands for. */
  private async call(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<unknown> {
    const what = `${method} ${this.baseUrl}${path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      throw new StoreUnavailableError(`cannot reach the taskrail server at ${this.baseUrl}: ${errorMessage(cause ?? err)}`, { cause: err });
    }
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's page): the status decides below.
    }
    if (!response.ok) throw errorFromApi(response.status, json, what);
    if (json === null) throw new Error(`${what}: the server answered ${response.status} without a JSON body`);
    return json;
  }
}
