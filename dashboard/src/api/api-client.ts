// Talks to /api/v1 with the signed-in token: one method per route the dashboard uses.
import { ApiError, apiErrorFrom } from "./api-error.js";
import type {
  AuditPage,
  Definition,
  LogPage,
  NodeInfo,
  Page,
  SchedulerStatus,
  Stats,
  Task,
  WhoAmI,
} from "./types.js";

/** Filters of the task list, as query parameters of `GET /tasks`. */
export interface TaskQuery {
  status?: string;
  type?: string;
  queue?: string;
  index?: string;
  creator?: string;
  definitionId?: string;
  createdFrom?: string;
  createdTo?: string;
  limit?: number;
  cursor?: string | null;
}

type Query = Record<string, string | number | boolean | null | undefined>;

/** Query string of the non-empty entries of `query`, with its leading `?` (or ""). */
export function toQueryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** A client of the taskrail API bound to one bearer token. */
export class ApiClient {
  constructor(
    readonly token: string,
    /** Called when the API refuses the token (401): revoked, or the store was reset. */
    private readonly onUnauthorized?: (message: string) => void,
    readonly base = "/api/v1",
  ) {}

  /** Sends one request; a non-2xx answer throws ApiError, a 204 yields undefined. */
  async request<T>(method: string, path: string, options: { query?: Query; body?: unknown } = {}): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: "application/json" };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}${toQueryString(options.query ?? {})}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch (error) {
      throw new ApiError(0, "NETWORK", `cannot reach the server: ${(error as Error).message}`);
    }
    if (!response.ok) {
      const error = await apiErrorFrom(response);
      if (response.status === 401) this.onUnauthorized?.(error.message);
      throw error;
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  whoami(): Promise<WhoAmI> {
    return this.request("GET", "/whoami");
  }

  // Tasks
  listTasks(query: TaskQuery): Promise<Page<Task>> {
    return this.request("GET", "/tasks", { query: { ...query } });
  }
  getTask(id: string): Promise<Task> {
    return this.request("GET", `/tasks/${encodeURIComponent(id)}`);
  }
  dispatchTask(body: unknown): Promise<Task> {
    return this.request("POST", "/tasks", { body });
  }
  cancelTask(id: string): Promise<Task> {
    return this.request("POST", `/tasks/${encodeURIComponent(id)}/cancel`, { body: {} });
  }
  /** Retries from the failed step, or from step `from` (a step name) when given. */
  retryTask(id: string, from?: string): Promise<Task> {
    return this.request("POST", `/tasks/${encodeURIComponent(id)}/retry`, { body: from ? { from } : {} });
  }
  skipStep(id: string, step: string): Promise<Task> {
    return this.request("POST", `/tasks/${encodeURIComponent(id)}/skip`, { body: { step } });
  }
  taskLogs(id: string, afterId?: number, limit = 500): Promise<LogPage> {
    return this.request("GET", `/tasks/${encodeURIComponent(id)}/logs`, { query: { afterId, limit } });
  }

  // Definitions
  /** Definitions by name, `limit` a page, after `cursor` (the previous page's `nextCursor`). */
  listDefinitions(cursor?: string | null, limit = 50): Promise<Page<Definition>> {
    return this.request("GET", "/definitions", { query: { cursor, limit } });
  }
  getDefinition(name: string): Promise<Definition> {
    return this.request("GET", `/definitions/${encodeURIComponent(name)}`);
  }
  createDefinition(body: unknown): Promise<Definition> {
    return this.request("POST", "/definitions", { body });
  }
  updateDefinition(name: string, body: unknown): Promise<Definition> {
    return this.request("PUT", `/definitions/${encodeURIComponent(name)}`, { body });
  }
  deleteDefinition(name: string): Promise<void> {
    return this.request("DELETE", `/definitions/${encodeURIComponent(name)}`);
  }
  setDefinitionEnabled(name: string, enabled: boolean): Promise<Definition> {
    return this.request("POST", `/definitions/${encodeURIComponent(name)}/${enabled ? "enable" : "disable"}`, { body: {} });
  }
  triggerDefinition(name: string): Promise<Task> {
    return this.request("POST", `/definitions/${encodeURIComponent(name)}/trigger`, { body: {} });
  }
  definitionHistory(name: string, cursor?: string | null): Promise<Page<Task>> {
    return this.request("GET", `/definitions/${encodeURIComponent(name)}/history`, { query: { cursor, limit: 50 } });
  }

  // Cluster
  listNodes(): Promise<Page<NodeInfo>> {
    return this.request("GET", "/nodes");
  }
  /** Statistics over `window` (a duration: "1h", "24h"), cut into `buckets` throughput buckets. */
  stats(window: string, buckets: number): Promise<Stats> {
    return this.request("GET", "/stats", { query: { window, buckets } });
  }
  scheduler(): Promise<SchedulerStatus> {
    return this.request("GET", "/scheduler");
  }
  audit(cursor?: number | null, limit = 100): Promise<AuditPage> {
    return this.request("GET", "/audit", { query: { cursor, limit } });
  }
}
