// Follows server-sent event streams of the API (GET /api/v1/events, a task's log with
// follow=1). EventSource cannot send an Authorization header, so this reads the stream with
// fetch and parses it here; on a drop it reconnects with Last-Event-ID so nothing is missed.
import { toQueryString } from "./api-client.js";

/**
 * One event of the stream: `type` is the SSE event name (`task` or `step` on /events, whose
 * data holds `kind` such as `task:succeeded`; `log` and `end` on a followed log).
 */
export interface StreamEvent {
  id: string | null;
  type: string;
  data: unknown;
}

/** What the stream reports besides events. */
export interface EventStreamHandlers {
  onEvent: (event: StreamEvent) => void;
  /** Connected (true) or waiting to reconnect (false). */
  onConnection?: (connected: boolean) => void;
}

/** Filters the server applies to the stream. */
export interface EventStreamFilter {
  taskId?: string;
  definitionId?: string;
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

/** Parses SSE text into events; keeps the unfinished tail between chunks. */
export class SseParser {
  private buffer = "";
  private id: string | null = null;
  private type = "message";
  private data: string[] = [];
  /** The id of the last complete event, for Last-Event-ID. */
  lastEventId: string | null = null;

  push(chunk: string, emit: (event: StreamEvent) => void): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\n|\r/)) >= 0) {
      // A chunk ending in "\r" may be half of a "\r\n": wait for the next one to tell.
      if (newline === this.buffer.length - 1 && this.buffer.endsWith("\r")) break;
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith("\r\n", newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + width);
      this.line(line, emit);
    }
  }

  private line(line: string, emit: (event: StreamEvent) => void): void {
    if (line === "") {
      if (this.data.length > 0) {
        const text = this.data.join("\n");
        let data: unknown = text;
        try {
          data = JSON.parse(text);
        } catch {
          // A non-JSON payload is passed on as text.
        }
        if (this.id !== null) this.lastEventId = this.id;
        emit({ id: this.id, type: this.type, data });
      }
      this.id = null;
      this.type = "message";
      this.data = [];
      return;
    }
    if (line.startsWith(":")) return; // a comment: the server's keep-alive
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "data") this.data.push(value);
    else if (field === "event") this.type = value;
    else if (field === "id") this.id = value;
  }
}

/** 4xx answers other than "try again later" (408, 429). */
function isPermanentRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** Options of one followed stream. */
export interface StreamOptions {
  /** Path under /api/v1 (`/events`, `/tasks/ID/logs`). */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** An event after which the stream is done: no reconnect (the log stream's `end`). */
  endEvent?: string;
}

/** Opens a server-sent event stream and keeps it open (reconnecting) until the returned function is called. */
export function followStream(token: string, options: StreamOptions, handlers: EventStreamHandlers): () => void {
  const abort = new AbortController();
  const parser = new SseParser();
  let delayMs = RECONNECT_MIN_MS;
  const emit = (event: StreamEvent) => {
    handlers.onEvent(event);
    if (options.endEvent && event.type === options.endEvent) abort.abort();
  };

  const connect = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "text/event-stream" };
        if (parser.lastEventId) headers["last-event-id"] = parser.lastEventId;
        const response = await fetch(`/api/v1${options.path}${toQueryString({ ...options.query })}`, { headers, signal: abort.signal });
        if (isPermanentRefusal(response.status)) {
          // A bad filter, a revoked token or a server without the stream: retrying cannot help.
          handlers.onConnection?.(false);
          return;
        }
        if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
        handlers.onConnection?.(true);
        delayMs = RECONNECT_MIN_MS;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.push(value, emit);
        }
      } catch {
        if (abort.signal.aborted) return;
      }
      if (abort.signal.aborted) return;
      handlers.onConnection?.(false);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, RECONNECT_MAX_MS);
    }
  };
  void connect();
  return () => abort.abort();
}

/** Follows `GET /api/v1/events` (task and step transitions) with the server-side filter. */
export function followEvents(token: string, filter: EventStreamFilter, handlers: EventStreamHandlers): () => void {
  return followStream(token, { path: "/events", query: { ...filter } }, handlers);
}
